"""An HTTP API limited by the Python `limits` library (Debian's python3-limits).

It answers GET with 200 "ok" while the client's address is within LIMIT and
429 beyond, with the headers Flask-Limiter sends from the same library's
window statistics: X-RateLimit-Limit, X-RateLimit-Remaining,
X-RateLimit-Reset (the window's reset in epoch seconds, as `limits` floors
it) and, on 429, Retry-After in delta seconds. The ratecheck tests start it
on loopback; it exits when its parent does.

usage: limits_server.py STRATEGY LIMITS HOST PORT
  STRATEGY  fixed-window, moving-window or fixed-window-elastic-expiry
  LIMITS    `limits` rate strings, e.g. "20/second" or "20/second;200/minute":
            each is hit in order, as Flask-Limiter does, until one refuses
            (those before it have counted the request; those after it do not);
            the headers describe the last limit hit
"""

import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from limits import parse_many, storage, strategies

STRATEGIES = {
    "fixed-window": strategies.FixedWindowRateLimiter,
    "moving-window": strategies.MovingWindowRateLimiter,
    "fixed-window-elastic-expiry": strategies.FixedWindowElasticExpiryRateLimiter,
}


def main():
    name, rate, host, port = sys.argv[1:5]
    # The strategy holds its storage by a weak reference: keep one here.
    store = storage.MemoryStorage()
    limiter = STRATEGIES[name](store)
    items = parse_many(rate)
    # A WSGI server with one worker decides one request at a time; the
    # memory storage is not meant for concurrent hits.
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            key = self.client_address[0]
            with lock:
                for item in items:
                    admitted = limiter.hit(item, key)
                    if not admitted:
                        break
                reset_at, remaining = limiter.get_window_stats(item, key)
            status, body = (200, b"ok\n") if admitted else (429, b"too many requests\n")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-RateLimit-Limit", str(item.amount))
            self.send_header("X-RateLimit-Remaining", str(max(0, remaining)))
            self.send_header("X-RateLimit-Reset", str(int(reset_at)))
            if not admitted:
                self.send_header("Retry-After", str(max(0, int(reset_at - time.time()))))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()

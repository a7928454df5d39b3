"""An HTTP API limited by Flask-Limiter (Debian's python3-flask-limiter), as
its docs deploy it: a Flask app whose default limits apply to every view,
keyed by the client's address, with its own headers (headers_enabled):
X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (epoch seconds,
written as int(reset)+1) and Retry-After on every response (delta seconds,
or an HTTP-date). The ratecheck tests start it on loopback; it exits when
its parent does.

usage: flask_limiter_server.py STRATEGY LIMITS RETRY_AFTER HOST PORT
  STRATEGY     fixed-window, moving-window or fixed-window-elastic-expiry
  LIMITS       Flask-Limiter's limit string, e.g. "20/second" or
               "20/second;200/minute"
  RETRY_AFTER  delta-seconds or http-date
"""

import logging
import os
import sys
import threading
import time

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def main():
    strategy, limits, retry_after, host, port = sys.argv[1:6]
    app = Flask(__name__)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    Limiter(
        get_remote_address,
        app=app,
        default_limits=[limits],
        headers_enabled=True,
        strategy=strategy,
        storage_uri="memory://",
        retry_after=retry_after,
    )

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def answer(path):
        return "ok\n"

    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    app.run(host=host, port=int(port), threaded=True)


if __name__ == "__main__":
    main()

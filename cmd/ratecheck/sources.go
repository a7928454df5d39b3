package main

import (
	"net"
	"net/netip"
	"net/url"
)

// resolveSources sets the addresses a run sends from: the first --source-addr
// for every phase, the others for a second client (limit.per-ip). Against a
// loopback IPv4 target given at most one address, it adds a free loopback
// address of its own (Linux routes all of 127.0.0.0/8 to loopback), when
// this machine lets it bind one.
// It is called once per scenario of an invocation, each with its own target.
func (f *shardFlags) resolveSources(target string) {
	f.OtherAddrs = nil
	if len(f.sourceArgs) > 0 {
		f.SourceAddr, f.OtherAddrs = f.sourceArgs[0], f.sourceArgs[1:]
	}
	if len(f.OtherAddrs) > 0 || !loopbackV4(target) {
		return
	}
	first, _ := netip.ParseAddr(f.SourceAddr)
	for _, s := range []string{"127.0.0.2", "127.0.0.3"} {
		if a := netip.MustParseAddr(s); a != first && canBind(a) {
			f.OtherAddrs = []string{s}
			return
		}
	}
}

// loopbackV4 reports whether the target (builtin, or a URL) is reached on an
// IPv4 loopback address.
func loopbackV4(target string) bool {
	if target == "" || target == builtinTarget {
		return true
	}
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(u.Hostname())
	return err == nil && a.Is4() && a.IsLoopback()
}

// canBind reports whether a connection can be made from a.
func canBind(a netip.Addr) bool {
	ln, err := net.Listen("tcp", netip.AddrPortFrom(a, 0).String())
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

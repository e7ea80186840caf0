// Package egress builds the HTTP client for calls to addresses that users
// configure (CRM base URLs, agent webhooks). In production it refuses to
// connect to loopback, private, link-local and other non-public addresses,
// checked on the resolved IP at dial time, so a hostname cannot smuggle one in.
package egress

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Client returns an HTTP client; with public true it only reaches public addresses.
func Client(public bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if public {
		dialer.Control = refuseNonPublic
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialer.DialContext
	transport.Proxy = nil // a proxy would dial on our behalf, past the check
	return &http.Client{Transport: transport, Timeout: timeout}
}

// ErrNotPublic is returned when a configured URL points inside the network.
type ErrNotPublic struct{ Address string }

func (e *ErrNotPublic) Error() string {
	return fmt.Sprintf("%s is not a public address: Countersign does not call internal hosts", e.Address)
}

func refuseNonPublic(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !Public(ip) {
		return &ErrNotPublic{Address: host}
	}
	return nil
}

// Public reports whether ip is a globally routable unicast address.
func Public(ip net.IP) bool {
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!ip.IsInterfaceLocalMulticast() && !ip.Equal(net.IPv4bcast) && !sharedOrReserved(ip)
}

var reserved = mustCIDRs("100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "0.0.0.0/8", "240.0.0.0/4", "fc00::/7", "64:ff9b::/96")

func sharedOrReserved(ip net.IP) bool {
	for _, n := range reserved {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func mustCIDRs(cidrs ...string) []*net.IPNet {
	var out []*net.IPNet
	for _, c := range cidrs {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			panic(err)
		}
		out = append(out, n)
	}
	return out
}

// Check resolves nothing: it refuses a URL host that is literally a
// non-public IP or localhost, for a clear validation error at save time.
func Check(ctx context.Context, host string) error {
	if host == "localhost" || len(host) > 10 && host[len(host)-10:] == ".localhost" {
		return &ErrNotPublic{Address: host}
	}
	if ip := net.ParseIP(host); ip != nil && !Public(ip) {
		return &ErrNotPublic{Address: host}
	}
	return nil
}

package egress

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestClient_refuses_internal_addresses_only_when_public(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	if _, err := Client(true, time.Second).Get(srv.URL); err == nil {
		t.Fatal("a loopback server was reached by the public-only client")
	} else {
		var np *ErrNotPublic
		if !errors.As(err, &np) {
			t.Errorf("error %v is not ErrNotPublic", err)
		}
	}
	res, err := Client(false, time.Second).Get(srv.URL)
	if err != nil {
		t.Fatalf("development client: %v", err)
	}
	res.Body.Close()
}

func TestPublic(t *testing.T) {
	for ip, want := range map[string]bool{"8.8.8.8": true, "2606:4700::1111": true, "10.0.0.1": false, "127.0.0.1": false,
		"169.254.169.254": false, "192.168.1.1": false, "100.64.0.1": false, "::1": false, "fd00::1": false, "0.0.0.0": false} {
		if got := Public(net.ParseIP(ip)); got != want {
			t.Errorf("%s: %v, want %v", ip, got, want)
		}
	}
	if Check(context.Background(), "localhost") == nil || Check(context.Background(), "10.1.2.3") == nil || Check(context.Background(), "api.hubapi.com") != nil {
		t.Error("Check")
	}
}

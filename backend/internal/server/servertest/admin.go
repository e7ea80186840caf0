package servertest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// AuditPage is a page of the admin audit trail.
type AuditPage struct {
	Entries []struct {
		Seq        int64
		At         time.Time
		Action     string
		ActorEmail string `json:"actor_email"`
		Target     string
	}
	NextCursor *string `json:"next_cursor"`
}

// AuditOf reads a page of the audit trail as c; query holds its filters and cursor.
func AuditOf(t *testing.T, c *Client, query string) AuditPage {
	t.Helper()
	res := c.Do("GET", "/api/v1/audit?"+query, nil)
	if res.Status != 200 {
		t.Fatalf("audit?%s: %d %s", query, res.Status, res.Body)
	}
	var p AuditPage
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Invite creates an invite as c and returns the token from its link.
func Invite(t *testing.T, c *Client, email string, roles ...string) string {
	t.Helper()
	res := c.Do("POST", "/api/v1/invites", map[string]any{"email": email, "roles": roles})
	if res.Status != 201 {
		t.Fatalf("invite %s: %d %s", email, res.Status, res.Body)
	}
	var inv struct{ URL string }
	json.Unmarshal(res.Body, &inv)
	if !strings.HasPrefix(inv.URL, "http://console.test/invite/") {
		t.Fatalf("invite url %q does not point at the console", inv.URL)
	}
	return strings.TrimPrefix(inv.URL, "http://console.test/invite/")
}

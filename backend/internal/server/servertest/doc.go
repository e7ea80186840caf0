// Package servertest runs the whole app inside a test, as net/http/httptest
// runs a handler, for the HTTP-level tests that each capability package keeps
// next to its code (package review_test, gateway_test, …; an external test
// package may import server, which imports the package under test).
//
// NewEnv builds the app on a fresh database holding the demo seed (and, when
// asked, each tenant's synced sandbox CRM). Env.SignIn gives a browser
// (Client) that keeps its session cookie and CSRF token; Env.NewAgent gives an
// agent with a key (AgentClient) for the agent API. It also holds the steps
// several capabilities' tests share: claiming and deciding review items,
// applying approved stage moves (ApplyStageMoves), reading the change log, the
// fields and the audit trail, inviting a member.
package servertest

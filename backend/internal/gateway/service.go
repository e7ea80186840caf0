package gateway

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/proposals"
	"countersign/backend/internal/review"
	"countersign/backend/internal/rollouts"
)

// Service is the gateway: intake, read-through, proposals and feedback.
type Service struct {
	db      *db.DB
	agents  *agents.Service
	catalog *catalog.Service
	clock   clock.Clock
	review  *review.Service
	// rollouts say, per field, whether a proposal may be auto-applied (the
	// stage, and the record's cohort).
	rollouts *rollouts.Service
	// proposals writes intake's batches and schedules the apply of
	// auto-approved proposals, in intake's transaction.
	proposals *proposals.Store
	// reads answers an agent's reads of its own proposals.
	reads *proposals.Service
	jobs  *jobs.Jobs // nil until RegisterJobs
	// HTTP delivers webhooks and alerts (public addresses only in production).
	HTTP *http.Client
	// Log hears of what fails after a batch is stored (a breaker trip).
	Log *slog.Logger
}

// NewService wires the gateway.
func NewService(d *db.DB, a *agents.Service, c *catalog.Service, rv *review.Service, ro *rollouts.Service, pr *proposals.Service,
	clk clock.Clock) *Service {
	return &Service{db: d, agents: a, catalog: c, review: rv, rollouts: ro, proposals: proposals.NewStore(d),
		reads: pr, clock: clk, HTTP: &http.Client{Timeout: 10 * time.Second}, Log: slog.Default()}
}

// Result is the answer for one item of a batch.
type Result struct {
	Index   int
	ID      string
	Status  string
	Route   string
	Reasons []string
	Error   *ItemError
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// optional is s, or nil for "" (an omitted member of an answer).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

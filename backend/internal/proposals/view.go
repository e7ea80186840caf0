package proposals

import (
	"time"

	"countersign/backend/internal/policy"
)

// Proposal is a stored proposal as the console and its agent read it, with
// its agent's name and (from Get) its status history.
type Proposal struct {
	ID, AgentID, AgentName, BatchID string
	Object, RecordID, Field         string
	Operation                       string
	ExpectedOld, Proposed           any
	Confidence                      float64
	Rationale                       string
	Evidence                        []Evidence
	RunID                           string
	Route, Status                   string
	Reasons                         []policy.Reason
	Flags                           []policy.Flag
	ShadowAuto                      bool
	SupersededBy                    *string
	ApplyError                      *string
	AppliedSeq                      *int64
	CreatedAt, UpdatedAt            time.Time
	History                         []Event
}

// Evidence is a source the agent cited, as stored.
type Evidence struct {
	URL     string `json:"url"`
	Title   string `json:"title,omitempty"`
	Excerpt string `json:"excerpt,omitempty"`
}

// ReasonTexts are the sentences of the policy's reasons, in order.
func (p Proposal) ReasonTexts() []string {
	out := make([]string, len(p.Reasons))
	for i, r := range p.Reasons {
		out[i] = r.Text
	}
	return out
}

// Event is one recorded status change (a row of proposal_events).
type Event struct {
	At        time.Time
	From      *string
	To        string
	ActorKind string
	ActorID   string
	Detail    map[string]any
}

// Filter selects proposals on the console; empty fields select all.
type Filter struct {
	AgentID, Status, Route, Object, Field, Flag string
	Since, Until                                *time.Time
	Limit, Offset                               int
}

// Activity summarises an agent's proposals: by route and status, blocked
// attempts by field, and per day over the last two weeks.
type Activity struct {
	ByRouteStatus  []RouteStatusCount
	BlockedByField []FieldCount
	ByDay          []DayRouteCount
}

// RouteStatusCount is how many proposals took a route and are in a status.
type RouteStatusCount struct {
	Route, Status string
	Count         int
}

// FieldCount is how many proposals of a field were blocked.
type FieldCount struct {
	Object, Field string
	Count         int
}

// DayRouteCount is how many proposals took a route on a day (YYYY-MM-DD, UTC).
type DayRouteCount struct {
	Day, Route string
	Count      int
}

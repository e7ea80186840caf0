// Package review is the human half of the loop: queues with match rules and
// SLAs, one review item per queued proposal, claims as leases, decisions
// (approve, edit, reject, escalate, skip, and undo for a few seconds), the SLA
// clock that escalates and expires, and the metrics of all that.
//
// Intake (gateway) calls Enqueue in the transaction that queues a proposal;
// a decision moves the proposal through proposals' state machine in the
// transaction that records it.
package review

import (
	"slices"
	"time"
)

// Match is a queue's rules: every non-empty list must contain the item's
// value (tags: share one). An empty Match takes everything.
type Match struct {
	Objects       []string `json:"objects,omitempty"`
	Fields        []string `json:"fields,omitempty"` // "object.field" or "field"
	Sensitivities []string `json:"sensitivities,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	Agents        []string `json:"agents,omitempty"` // agent ids
	Routes        []string `json:"routes,omitempty"` // review, two_person
}

// Fits reports whether the rules take the item.
func (m Match) Fits(it NewItem) bool {
	in := func(list []string, v ...string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range v {
			if slices.Contains(list, x) {
				return true
			}
		}
		return false
	}
	return in(m.Objects, it.Object) && in(m.Fields, it.Object+"."+it.Field, it.Field) && in(m.Sensitivities, it.Sensitivity) &&
		in(m.Tags, it.Tags...) && in(m.Agents, it.AgentID) && in(m.Routes, it.Route)
}

// Queue is where review items wait for reviewers of some roles.
type Queue struct {
	ID           string
	Name         string
	Position     int
	AllowedRoles []string
	Match        Match
	// AcceptsNew is false for a queue that only receives escalations.
	AcceptsNew bool
	// SLAMinutes per sensitivity (critical, high, medium, low).
	SLAMinutes map[string]int
	EscalateTo *string
	// ExpireAfterDoubleSLA: high and critical items are rejected as expired at 2× SLA.
	ExpireAfterDoubleSLA bool
	CreatedAt, UpdatedAt time.Time
}

// SLA is the queue's SLA for a sensitivity, in minutes.
func (q Queue) SLA(sensitivity string) int {
	if m := q.SLAMinutes[sensitivity]; m > 0 {
		return m
	}
	return DefaultSLA[sensitivity]
}

// NewItem is what intake knows of a proposal it queues.
type NewItem struct {
	ProposalID  string
	AgentID     string
	Object      string
	RecordID    string
	Field       string
	Route       string // review or two_person
	Sensitivity string
	Tags        []string
	Flags       int
	Confidence  float64
	RecordValue *float64 // e.g. the deal's amount, when known
	SLAOverride *int     // the field policy's SLA, in minutes
	CreatedAt   time.Time
}

// Item is a review item as a reviewer sees it.
type Item struct {
	ID, ProposalID, QueueID, QueueName string
	AgentID, AgentName                 string
	Object, RecordID, Field            string
	FieldLabel, FieldType              string
	FieldOptions                       []string
	Operation                          string
	ExpectedOld, Proposed              any
	// Current is the CRM's value read when the item was fetched; CurrentErr
	// says why it could not be read. Stale: it differs from ExpectedOld.
	Current           any
	CurrentErr        string
	Stale             bool
	Confidence        float64
	Rationale         string
	Evidence          []Evidence
	Flags             []Flag
	Reasons           []string
	Route             string
	Sensitivity       string
	ApprovalsRequired int
	ApprovedBy        []string
	State, SLAState   string
	CreatedAt, DueAt  time.Time
	Why               []Factor
	ClaimedBy         *string
	LeaseExpiresAt    *time.Time
	EscalatedAt       *time.Time
	RecordURL         string // the record in the sandbox CRM's page, when the connection is the sandbox
	DecidedAt         *time.Time
	LastDecision      *Decision
}

// Evidence is a link the agent gave.
type Evidence struct {
	URL     string `json:"url"`
	Title   string `json:"title,omitempty"`
	Excerpt string `json:"excerpt,omitempty"`
}

// Flag is a validator's finding.
type Flag struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Verdicts a reviewer gives.
const (
	Approve  = "approve"
	Edit     = "edit"
	Reject   = "reject"
	Escalate = "escalate"
	Skip     = "skip"
	Expire   = "expire" // the SLA clock's, never a reviewer's
	Undo     = "undo"
)

// DecisionInput is what a reviewer sends.
type DecisionInput struct {
	Verdict    string
	Value      any // edit: the new value
	HasValue   bool
	ReasonCode string
	Comment    string
}

// Decision is a recorded decision.
type Decision struct {
	Seq        int64
	ItemID     string
	ProposalID string
	UserID     *string
	UserName   string
	Verdict    string
	Value      any
	ReasonCode string
	Comment    string
	At         time.Time
	// Outcome is what the decision did: the proposal's new status
	// (approved, edited, rejected), or pending (a first of two approvals),
	// escalated, skipped, reopened (undo).
	Outcome string
	// UndoUntil is when the decision can no longer be undone.
	UndoUntil *time.Time
}

// ReasonCode is a reason a reviewer can give for a rejection.
type ReasonCode struct {
	Code     string
	Label    string
	Position int
	Archived bool
}

// UndoWindow is how long a decision can be undone (apply waits for it).
const UndoWindow = 10 * time.Second

// LeaseTTL is how long a claim lasts without the reviewer doing anything.
const LeaseTTL = 10 * time.Minute

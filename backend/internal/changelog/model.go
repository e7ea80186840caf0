package changelog

import (
	"encoding/json"
	"time"
)

// Entry is one write to append: what changed, and who and why. The service
// stamps the tenant, seq and hashes; the caller stamps attribution from the
// authenticated principal, never from a request body.
type Entry struct {
	ConnectionID  string
	Object        string
	RecordID      string
	Field         string
	Before, After any // JSON scalars (string, float64, bool) or nil
	ActorKind     string
	AgentID       *string
	UserID        *string
	ProposalID    *string
	DecisionSeqs  []int64
	PolicyVersion *int64
	Reverts       *int64
	Reason        string
	At            time.Time
}

// Event is an entry as the log holds it.
type Event struct {
	Seq           int64           `json:"seq"`
	ID            string          `json:"id"`
	At            time.Time       `json:"at"`
	ConnectionID  string          `json:"connection_id"`
	Object        string          `json:"object"`
	RecordID      string          `json:"record_id"`
	Field         string          `json:"field"`
	Before        json.RawMessage `json:"before"`
	After         json.RawMessage `json:"after"`
	ActorKind     string          `json:"actor_kind"`
	AgentID       *string         `json:"agent_id"`
	AgentName     *string         `json:"agent_name"`
	UserID        *string         `json:"user_id"`
	UserName      *string         `json:"user_name"`
	ProposalID    *string         `json:"proposal_id"`
	DecisionSeqs  []int64         `json:"decision_seqs"`
	PolicyVersion *int64          `json:"policy_version"`
	Reverts       *int64          `json:"reverts"`
	RevertedBy    *int64          `json:"reverted_by"`
	Reason        string          `json:"reason"`
	Hash          string          `json:"hash"`
	PrevHash      string          `json:"prev_hash"`
}

// Filter narrows the change log; zero fields match everything.
type Filter struct {
	Object   string `json:"object,omitempty"`
	RecordID string `json:"record_id,omitempty"`
	Field    string `json:"field,omitempty"`
	AgentID  string `json:"agent_id,omitempty"`
	BatchID  string `json:"batch_id,omitempty"`
	// RolloutID takes the changes auto-applied in the rollout's canary arm.
	RolloutID string     `json:"rollout_id,omitempty"`
	ActorKind string     `json:"actor_kind,omitempty"`
	Since     *time.Time `json:"since,omitempty"`
	Until     *time.Time `json:"until,omitempty"`
}

// Page is a page of the log, newest first, and the cursor of the next.
type Page struct {
	Events []Event
	Next   *int64 // the seq to pass as before; nil at the end
}

// Verification is what walking a tenant's chain found.
type Verification struct {
	TenantID   string      `json:"tenant_id"`
	Events     int64       `json:"events"`
	OK         bool        `json:"ok"`
	FirstBad   *int64      `json:"first_bad_seq"`
	Problem    string      `json:"problem,omitempty"`
	Checkpoint *Checkpoint `json:"checkpoint"`
}

// Checkpoint is a signed (tenant, seq, hash).
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	KeyID     string    `json:"key_id"`
	Signature string    `json:"signature"`
	At        time.Time `json:"at"`
	Valid     bool      `json:"valid"`
}

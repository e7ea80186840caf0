// Package exports turns the change log and its decisions into evidence an
// auditor can check offline: CSV, XLSX, JSONL or a PDF summary, written by a
// job that pages the append-only log by seq, kept in chunks in the database
// (every app copy serves it), with a manifest signed by the change log's key
// that `countersign verify-export` checks with no database and no network.
package exports

import (
	"time"
)

// Formats an export can take.
const (
	CSV   = "csv"
	XLSX  = "xlsx"
	JSONL = "jsonl"
	PDF   = "pdf"
)

// Formats lists every format, in the order the console offers them.
var Formats = []string{CSV, XLSX, JSONL, PDF}

// Filter selects the change events an export covers: a time range (at ≥
// Since, at < Until) and optional agent, field, object, actor kind and
// sensitivity at decision time.
type Filter struct {
	Since       time.Time `json:"since"`
	Until       time.Time `json:"until"`
	AgentID     string    `json:"agent_id,omitempty"`
	Field       string    `json:"field,omitempty"`
	Object      string    `json:"object,omitempty"`
	ActorKind   string    `json:"actor_kind,omitempty"`
	Sensitivity string    `json:"sensitivity,omitempty"`
}

// Row is one change event as an auditor reads it: the change, who made and
// approved it under which policy, how the review went, and the chain fields
// its hash covers (so the row can be re-hashed offline).
type Row struct {
	Seq          int64     `json:"seq"`
	ChangeID     string    `json:"change_id"`
	At           time.Time `json:"at"`
	ConnectionID string    `json:"connection_id"`
	Object       string    `json:"object"`
	RecordID     string    `json:"record_id"`
	Field        string    `json:"field"`
	Before       string    `json:"before"` // canonical JSON text, as hashed
	After        string    `json:"after"`
	ActorKind    string    `json:"actor_kind"`
	AgentID      string    `json:"agent_id"`
	AgentName    string    `json:"agent"`
	UserID       string    `json:"user_id"`
	UserName     string    `json:"user"`
	ProposalID   string    `json:"proposal_id"`
	DecisionSeqs []int64   `json:"decision_seqs"`
	// Approvers are the people who approved (or edited) the proposal.
	Approvers []string `json:"approvers"`
	// QuorumMet: as many distinct approvers as the item required ("" when
	// no review: auto-applied, a rollback).
	QuorumMet     string `json:"quorum_met"`
	Sensitivity   string `json:"sensitivity"` // at decision time (the policy version in force)
	PolicyVersion *int64 `json:"policy_version"`
	RouteReasons  string `json:"route_reasons"` // the policy engine's reasons, "; "-joined
	// SLA is met, breached or "" (not reviewed).
	SLA string `json:"sla"`
	// CRMConfirmed: confirmed once reconciliation has read the CRM's history
	// past the write, pending before.
	CRMConfirmed   string `json:"crm_write"`
	CorrectedInCRM bool   `json:"corrected_in_crm"`
	RolledBackBy   *int64 `json:"rolled_back_by"` // the seq of the event that undid it
	Reverts        *int64 `json:"reverts"`        // the seq this event undoes
	Reason         string `json:"reason"`
	AuditVerdict   string `json:"audit_verdict"` // correct / incorrect / "" (not sampled, or not yet marked)
	AuditNote      string `json:"audit_note"`
	PrevHash       string `json:"prev_hash"` // hex
	Hash           string `json:"hash"`      // hex

	approverIDs []string // the approvers' user ids, read with the row (their names are Approvers)
	facts       bool     // its review facts were read
}

// Columns are the CSV and XLSX header, in order; cells(r) gives a row's
// cells in the same order.
var Columns = []string{"seq", "change_id", "at", "connection_id", "object", "record_id", "field", "before", "after",
	"actor_kind", "agent_id", "agent", "user_id", "user", "proposal_id", "decision_seqs", "approvers", "quorum_met",
	"sensitivity", "policy_version", "route_reasons", "sla", "crm_write", "corrected_in_crm", "rolled_back_by", "reverts",
	"reason", "audit_verdict", "audit_note", "prev_hash", "hash"}

// Summary is what the PDF evidence summary shows, gathered while the rows
// stream: counts, corrections and SLA per day, the sample audit, and what
// the manifest will sign.
type Summary struct {
	TenantName string
	Filter     Filter
	Rows       int64
	ByActor    map[string]int64 // actor kind → changes
	ByAgent    map[string]int64 // agent name → changes
	RolledBack int64
	// Days are the period's days in order, with changes, corrections
	// (rolled back, corrected in the CRM or found incorrect by an audit) and
	// reviewed changes whose SLA was met or breached.
	Days []Day
	// Audit is the period's latest closed sample audit, nil if none.
	Audit *AuditResult
	// Chain is what the manifest signs: the seq range, its hashes and the
	// checkpoint; the PDF prints it so a reader can match it to the manifest.
	FirstSeq, LastSeq       int64
	FirstPrevHash, LastHash string
	RowsDigest              string
	CheckpointSeq           int64
	CheckpointHash, KeyID   string
	CheckpointSignature     string // base64
	GeneratedAt             time.Time
}

// Day is one day of the summary's charts.
type Day struct {
	Date        time.Time
	Changes     int64
	Corrections int64
	SLAMet      int64
	SLABreached int64
}

// AuditResult is a closed sample audit as the pack reports it.
type AuditResult struct {
	AuditID   string `json:"audit_id"`
	Seed      int64  `json:"seed"`
	RateBps   int    `json:"rate_bps"`
	Sampled   int    `json:"sampled"`
	Incorrect int    `json:"incorrect"`
}

// rowWriter writes rows in one format; Close completes the file.
type rowWriter interface {
	Write(r *Row) error
	Close() error
}

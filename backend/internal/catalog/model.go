// Package catalog owns CRM connections, the field catalog they sync, and each
// field's policy (sensitivity, automation mode, threshold, evidence, SLA,
// impact tags) with its history. Syncs run in the background on the job queue.
package catalog

import (
	"slices"
	"time"

	"countersign/backend/internal/crm"
)

// Policy vocabularies.
var (
	Sensitivities = []string{"low", "medium", "high", "critical"}
	Modes         = []string{"auto", "review", "two_person", "blocked"}
	Tags          = []string{"pipeline", "forecast", "commission", "pii", "attribution", "identifier", "consent"}
)

// DefaultThreshold is the confidence an auto-applied change needs unless a policy says otherwise.
const DefaultThreshold = 0.95

// Connection is a tenant's link to one CRM. Its credentials stay sealed in the
// store; only masks (CredentialHints) ever leave the service.
type Connection struct {
	ID                  string
	TenantID            string
	Name                string
	Provider            crm.Provider
	BaseURL             string
	CredentialHints     map[string]string
	SyncIntervalMinutes int
	Status              string // new | ok | error
	LastError           string
	LastSyncedAt        *time.Time
	NextSyncAt          *time.Time
	CreatedAt           time.Time
	FieldCount          int
	NeedsDecision       int
	LastRun             *SyncRun
}

// Policy decides what agents may do with a field.
type Policy struct {
	Sensitivity         string    `json:"sensitivity"`
	Mode                string    `json:"mode"`
	ConfidenceThreshold float64   `json:"confidence_threshold"`
	EvidenceRequired    bool      `json:"evidence_required"`
	SLAMinutes          *int      `json:"sla_minutes,omitempty"`
	Tags                []string  `json:"tags"`
	Decided             bool      `json:"decided"`
	Reason              string    `json:"reason"`
	Rule                string    `json:"-"` // the default rule that produced it
	UpdatedAt           time.Time `json:"-"`
}

// Same reports whether two policies say the same thing (ignoring who and why).
func (p Policy) Same(o Policy) bool {
	return p.Sensitivity == o.Sensitivity && p.Mode == o.Mode && p.ConfidenceThreshold == o.ConfidenceThreshold &&
		p.EvidenceRequired == o.EvidenceRequired && sameInt(p.SLAMinutes, o.SLAMinutes) &&
		slices.Equal(sortedTags(p.Tags), sortedTags(o.Tags)) && p.Decided == o.Decided
}

// Field is a catalog field with its policy.
type Field struct {
	crm.Field
	ID             string
	TenantID       string
	ConnectionID   string
	ConnectionName string
	Policy         Policy
	FirstSeenAt    time.Time
	LastSeenAt     time.Time
}

// FieldDetail adds the field's histories.
type FieldDetail struct {
	Field
	Definitions []DefinitionChange
	Policies    []PolicyChange
}

// DefinitionChange is what a sync noticed about a field.
type DefinitionChange struct {
	At     time.Time
	Change string // new | changed | archived | restored
	Detail map[string]any
}

// PolicyChange is one recorded change of a field's policy.
type PolicyChange struct {
	At         time.Time
	ActorEmail string
	Source     string // default | console | bulk | import
	Before     *Policy
	After      Policy
}

// SyncRun is one sync of a connection's field metadata.
type SyncRun struct {
	ID           string
	TenantID     string
	ConnectionID string
	Status       string // queued | running | succeeded | failed
	Trigger      string // manual | schedule | initial
	Progress     SyncProgress
	Summary      *SyncSummary
	Error        string
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
}

// SyncProgress is shown while a sync runs.
type SyncProgress struct {
	ObjectsDone   int    `json:"objects_done"`
	ObjectsTotal  int    `json:"objects_total"`
	FieldsSeen    int    `json:"fields_seen"`
	CurrentObject string `json:"current_object,omitempty"`
}

// SyncSummary is what a sync changed.
type SyncSummary struct {
	New           int `json:"new"`
	Changed       int `json:"changed"`
	Archived      int `json:"archived"`
	Restored      int `json:"restored"`
	Unchanged     int `json:"unchanged"`
	NeedsDecision int `json:"needs_decision"`
}

// FieldFilter selects catalog fields; zero values mean "any".
type FieldFilter struct {
	ConnectionID   string
	Object         string
	Sensitivity    string
	Mode           string
	Tag            string
	NeedsDecision  bool
	CRMSensitivity string // "any" = any non-empty
	Archived       bool
	Query          string
	Sort           string
	Limit, Offset  int
}

func sameInt(a, b *int) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func sortedTags(t []string) []string {
	out := slices.Clone(t)
	slices.Sort(out)
	return slices.Compact(out)
}

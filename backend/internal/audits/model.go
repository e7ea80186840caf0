// Package audits draws sample audits of the change log: a reproducible,
// stratified sample of a period's applied changes that an agent proposed,
// which compliance marks correct or incorrect, one by one. Strata are agent ×
// field × the field's sensitivity when the change was decided; each stratum
// gives ceil(population × rate) of its changes, at least one, chosen by the
// audit's seed (the same seed over the same log draws the same sample). When
// an audit is closed, each incorrect finding becomes a correction (kind
// audit) of the change it sampled, which the rollout metrics count.
package audits

import "time"

// Sampling rates, in basis points, and the longest note.
const (
	MinRateBps = 50  // 0.5 %
	MaxRateBps = 200 // 2 %
	MaxNote    = 2000
)

// Verdicts of an item.
const (
	VerdictCorrect   = "correct"
	VerdictIncorrect = "incorrect"
)

// UnknownSensitivity is the sensitivity of a change decided without a
// recorded field policy.
const UnknownSensitivity = "unknown"

// Audit is a sample audit with its progress.
type Audit struct {
	ID, TenantID                string
	Since, Until                time.Time
	RateBps                     int
	Seed                        int64
	Population                  int
	Strata                      []Stratum
	Sampled, Checked, Incorrect int
	ClosedAt                    *time.Time
	CreatedAt                   time.Time
	CreatedByName               string
}

// Stratum is one agent × field × sensitivity of the population: how many
// changes it held and how many were drawn. It is stored as the audit's
// strata (jsonb).
type Stratum struct {
	AgentID     *string `json:"agent_id"`
	Agent       string  `json:"agent"`
	Field       string  `json:"field"` // object.field
	Sensitivity string  `json:"sensitivity"`
	Population  int     `json:"population"`
	Sampled     int     `json:"sampled"`
}

// Label is how a stratum reads on the worksheet: "agent · field · sensitivity".
func (s Stratum) Label() string { return label(s.Agent, s.Field, s.Sensitivity) }

func label(agent, field, sensitivity string) string {
	if agent == "" {
		agent = "no agent"
	}
	return agent + " · " + field + " · " + sensitivity
}

// Item is a sampled change on the worksheet, with its finding.
type Item struct {
	ChangeSeq               int64
	ChangeID                string
	At                      time.Time
	Object, RecordID, Field string
	Before, After           any // the values, decoded from the log's canonical JSON
	ActorKind               string
	AgentName, Sensitivity  *string
	Stratum                 string
	Verdict                 *string
	Note                    string
	CheckedByName           *string
	CheckedAt               *time.Time
}

// Detail is an audit with its worksheet.
type Detail struct {
	Audit
	Items []Item
}

package fieldvalue

import (
	"testing"

	agentapi "countersign/backend/api/agent"
)

// The agent API spec states the limits agents read; the decoder enforces the
// constants. If one side changes alone, agents are told one limit and held
// to another.
func TestLimits_agree_with_the_agent_API_spec(t *testing.T) {
	doc, err := agentapi.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	item := doc.Components.Schemas["ProposalItem"].Value
	if got := item.Properties["rationale"].Value.MaxLength; got == nil || *got != MaxRationale {
		t.Errorf("spec rationale maxLength = %v, MaxRationale = %d", got, MaxRationale)
	}
	if got := item.Properties["evidence"].Value.MaxItems; got == nil || *got != MaxEvidence {
		t.Errorf("spec evidence maxItems = %v, MaxEvidence = %d", got, MaxEvidence)
	}
	body := doc.Paths.Value("/proposals").Post.RequestBody.Value.Content["application/json"].Schema.Value
	if got := body.Properties["proposals"].Value.MaxItems; got == nil || *got != MaxBatch {
		t.Errorf("spec proposals maxItems = %v, MaxBatch = %d", got, MaxBatch)
	}
}

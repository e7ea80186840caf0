package catalog

import (
	"slices"
	"testing"

	"countersign/backend/internal/crm"
)

func TestDefaults_rules_assign_policy_and_reason(t *testing.T) {
	cases := []struct {
		field           crm.Field
		sensitivity     string
		mode, rule, tag string
	}{
		{crm.Field{Name: "dealstage", Type: crm.TypeEnumeration}, "high", "review", "pipeline-and-forecast", "pipeline"},
		{crm.Field{Name: "closedate", Type: crm.TypeDate}, "high", "review", "pipeline-and-forecast", "forecast"},
		{crm.Field{Name: "amount", Type: crm.TypeCurrency}, "high", "review", "pipeline-and-forecast", "forecast"},
		{crm.Field{Name: "hubspot_owner_id", Type: crm.TypeReference}, "high", "review", "pipeline-and-forecast", "pipeline"},
		{crm.Field{Name: "OwnerId", Type: crm.TypeReference}, "high", "review", "pipeline-and-forecast", "pipeline"},
		{crm.Field{Name: "StageName", Type: crm.TypeEnumeration}, "high", "review", "pipeline-and-forecast", "pipeline"},
		{crm.Field{Name: "lifecyclestage", Type: crm.TypeEnumeration}, "high", "review", "pipeline-and-forecast", "pipeline"},
		{crm.Field{Name: "utm_source", Type: crm.TypeString, Custom: true}, "high", "blocked", "attribution", "attribution"},
		{crm.Field{Name: "hs_analytics_source", Type: crm.TypeEnumeration}, "high", "blocked", "attribution", "attribution"},
		{crm.Field{Name: "LeadSource", Type: crm.TypeEnumeration}, "high", "blocked", "attribution", "attribution"},
		{crm.Field{Name: "commission_amount", Type: crm.TypeCurrency}, "high", "blocked", "commission", "commission"},
		{crm.Field{Name: "hs_object_id", Type: crm.TypeID, ReadOnly: false}, "high", "blocked", "identifiers", "identifier"},
		{crm.Field{Name: "domain", Type: crm.TypeString}, "high", "blocked", "identifiers", "identifier"},
		{crm.Field{Name: "ssn", Type: crm.TypeString}, "critical", "blocked", "government-and-payment-ids", "pii"},
		{crm.Field{Name: "notes", Sensitivity: "highly_sensitive"}, "critical", "blocked", "crm-restricted", "pii"},
		{crm.Field{Name: "Description", Sensitivity: "Restricted"}, "critical", "blocked", "crm-restricted", "pii"},
		{crm.Field{Name: "Budget", Sensitivity: "MissionCritical"}, "critical", "blocked", "crm-restricted", "pii"},
		{crm.Field{Name: "marketing_consent", Type: crm.TypeEnumeration}, "critical", "blocked", "consent", "consent"},
		{crm.Field{Name: "HasOptedOutOfEmail", Type: crm.TypeBool}, "critical", "blocked", "consent", "consent"},
		{crm.Field{Name: "email", Type: crm.TypeEmail}, "medium", "review", "contact-data", "pii"},
		{crm.Field{Name: "mobilephone", Type: crm.TypePhone}, "medium", "review", "contact-data", "pii"},
		{crm.Field{Name: "createdate", Type: crm.TypeDateTime, ReadOnly: true}, "low", "blocked", "read-only", ""},
		{crm.Field{Name: "industry", Type: crm.TypeEnumeration}, "low", "auto", "everything-else", ""},
		{crm.Field{Name: "numberofemployees", Type: crm.TypeNumber}, "low", "auto", "everything-else", ""},
	}
	for _, c := range cases {
		got := builtinDefaults.For(c.field)
		if got.Sensitivity != c.sensitivity || got.Mode != c.mode || got.Rule != c.rule {
			t.Errorf("%s: got %s/%s by %s, want %s/%s by %s", c.field.Name, got.Sensitivity, got.Mode, got.Rule, c.sensitivity, c.mode, c.rule)
		}
		if c.tag != "" && !slices.Contains(got.Tags, c.tag) {
			t.Errorf("%s: tags %v lack %s", c.field.Name, got.Tags, c.tag)
		}
		if got.Reason == "" || got.Decided || got.ConfidenceThreshold != 0.95 {
			t.Errorf("%s: reason %q decided %v threshold %v", c.field.Name, got.Reason, got.Decided, got.ConfidenceThreshold)
		}
	}
	if r := builtinDefaults.For(crm.Field{Name: "dealstage"}); r.Reason != "Drives pipeline and forecasting." {
		t.Errorf("dealstage reason = %q", r.Reason)
	}
}

func TestLoadDefaults_rejects_bad_rules(t *testing.T) {
	for name, src := range map[string]string{
		"bad mode":        "rules:\n  - name: x\n    match: {}\n    policy: {sensitivity: low, mode: sometimes}\n",
		"no catch-all":    "rules:\n  - name: x\n    match: {names: [a]}\n    policy: {sensitivity: low, mode: auto}\n",
		"bad regexp":      "rules:\n  - name: x\n    match: {names: ['(']}\n    policy: {sensitivity: low, mode: auto}\n  - name: y\n    match: {}\n    policy: {sensitivity: low, mode: auto}\n",
		"not yaml at all": "rules: [",
	} {
		if _, err := LoadDefaults([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

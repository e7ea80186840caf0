package gateway

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/problem"
)

// AgentField is a catalog field as an agent sees it.
type AgentField struct {
	catalog.Field
	Writable   bool
	Operations []string
}

// Fields lists the catalog within the agent's scope.
func (s *Service) Fields(ctx context.Context, caller agents.Caller) ([]AgentField, error) {
	a, err := s.agentOf(ctx, caller)
	if err != nil {
		return nil, err
	}
	fs, err := s.catalog.ConnectionFields(ctx, a.TenantID, a.ConnectionID)
	if err != nil {
		return nil, err
	}
	out := []AgentField{}
	for _, f := range fs {
		ops := scopedOps(a.Scopes, f.Object, f.Name)
		if f.Archived || len(ops) == 0 {
			continue
		}
		out = append(out, AgentField{Field: f, Operations: ops, Writable: !f.ReadOnly && f.Policy.Mode != "blocked"})
	}
	return out, nil
}

func scopedOps(scopes []agents.Scope, object, field string) []string {
	var ops []string
	for _, op := range agents.Operations {
		if agents.Allows(scopes, object, field, op) {
			ops = append(ops, op)
		}
	}
	return ops
}

// Withheld is a field in scope whose values a read leaves out, and why.
type Withheld struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// withholdReason says why an agent may not read a field it may write: a
// critical or personal (pii-tagged) field is read only by an agent whose scope
// names it; a wildcard scope is not enough. "" means readable.
func withholdReason(scopes []agents.Scope, f catalog.Field) string {
	if agents.Names(scopes, f.Object, f.Name) {
		return ""
	}
	switch {
	case f.Policy.Sensitivity == "critical":
		return "critical: name the field in the agent's scope to read it"
	case slices.Contains(f.Policy.Tags, "pii"):
		return "pii: name the field in the agent's scope to read it"
	}
	return ""
}

// readable resolves which fields an agent may read on an object: the ones in
// scope, narrowed to those asked for, less the critical and personal ones its
// scope does not name (withheld). Asking for one outside scope is an error.
func (s *Service) readable(ctx context.Context, caller agents.Caller, object, asked string) (agents.Agent, []string, []Withheld, error) {
	a, err := s.agentOf(ctx, caller)
	if err != nil {
		return a, nil, nil, err
	}
	fs, err := s.catalog.ConnectionFields(ctx, a.TenantID, a.ConnectionID)
	if err != nil {
		return a, nil, nil, err
	}
	var inScope []string
	why := map[string]string{}
	known := false
	for _, f := range fs {
		if f.Object != object || f.Archived {
			continue
		}
		known = true
		if len(scopedOps(a.Scopes, f.Object, f.Name)) > 0 {
			inScope = append(inScope, f.Name)
			if r := withholdReason(a.Scopes, f); r != "" {
				why[f.Name] = r
			}
		}
	}
	if !known {
		return a, nil, nil, problem.NotFound("object " + object)
	}
	if len(inScope) == 0 {
		return a, nil, nil, problem.Forbidden("out_of_scope", object+" is outside this agent's scope")
	}
	want := inScope
	if asked != "" {
		want = nil
		for _, name := range strings.Split(asked, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(inScope, name) {
				return a, nil, nil, problem.InvalidField("fields", "%q is not a field of %s within this agent's scope", name, object)
			}
			want = append(want, name)
		}
	}
	var names []string
	withheld := []Withheld{}
	for _, name := range want {
		if r, ok := why[name]; ok {
			withheld = append(withheld, Withheld{Field: name, Reason: r})
		} else {
			names = append(names, name)
		}
	}
	return a, names, withheld, nil
}

// ListRecords reads a page of records through the agent's connection, and
// says which fields were withheld.
func (s *Service) ListRecords(ctx context.Context, caller agents.Caller, object, fields string, limit int, after string) (crm.Page, []Withheld, error) {
	if limit < 1 || limit > 100 {
		return crm.Page{}, nil, problem.InvalidField("limit", "must be between 1 and 100")
	}
	a, names, withheld, err := s.readable(ctx, caller, object, fields)
	if err != nil {
		return crm.Page{}, nil, err
	}
	conn, err := s.catalog.Connector(ctx, a.TenantID, a.ConnectionID)
	if err != nil {
		return crm.Page{}, nil, err
	}
	page, err := conn.ListRecords(ctx, object, names, limit, after)
	if err != nil {
		return crm.Page{}, nil, crmProblem(err)
	}
	ids := make([]string, len(page.Records))
	for i, r := range page.Records {
		ids[i], page.Records[i].Values = r.ID, only(r.Values, names)
	}
	return page, withheld, s.logRead(ctx, caller, object, ids, names)
}

// GetRecord reads one record through the agent's connection, and says which
// fields were withheld.
func (s *Service) GetRecord(ctx context.Context, caller agents.Caller, object, id, fields string) (crm.Record, []Withheld, error) {
	a, names, withheld, err := s.readable(ctx, caller, object, fields)
	if err != nil {
		return crm.Record{}, nil, err
	}
	conn, err := s.catalog.Connector(ctx, a.TenantID, a.ConnectionID)
	if err != nil {
		return crm.Record{}, nil, err
	}
	recs, err := conn.ReadRecords(ctx, object, []string{id}, names)
	if err != nil {
		return crm.Record{}, nil, crmProblem(err)
	}
	if len(recs) == 0 {
		return crm.Record{}, nil, problem.NotFound("record")
	}
	recs[0].Values = only(recs[0].Values, names)
	return recs[0], withheld, s.logRead(ctx, caller, object, []string{id}, names)
}

// only keeps the fields in scope, whatever the connector returned.
func only(values map[string]any, names []string) map[string]any {
	out := make(map[string]any, len(names))
	for _, n := range names {
		if v, ok := values[n]; ok {
			out[n] = v
		}
	}
	return out
}

func (s *Service) logRead(ctx context.Context, caller agents.Caller, object string, ids, fields []string) error {
	i, _ := json.Marshal(orEmpty(ids))
	f, _ := json.Marshal(orEmpty(fields))
	return s.db.Conn(ctx).Exec(`INSERT INTO agent_reads (tenant_id, agent_id, at, object, record_ids, fields)
		VALUES (?, ?, ?, ?, ARRAY(SELECT jsonb_array_elements_text(?::jsonb)), ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
		caller.TenantID, caller.AgentID, s.clock.Now(), object, string(i), string(f)).Error
}

// crmProblem turns a connector failure into an answer an agent can act on.
func crmProblem(err error) error {
	e, ok := crm.AsError(err)
	if !ok {
		return err
	}
	switch e.Kind {
	case crm.KindNotFound:
		return problem.NotFound("record")
	case crm.KindRateLimited:
		return problem.RateLimited("crm_rate_limited", "The CRM is rate limiting reads; retry later.", e.RetryAfter)
	}
	return problem.Unavailable("crm_unavailable", "The CRM could not answer: "+e.Error())
}

package catalog

import (
	"context"
	"fmt"
	"slices"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// Fields pages through the catalog.
func (s *Service) Fields(ctx context.Context, tenantID string, q FieldFilter) ([]Field, int, error) {
	var f problem.Fields
	if q.ConnectionID != "" && !db.IsUUID(q.ConnectionID) {
		return []Field{}, 0, nil // an unknown connection has no fields
	}
	checkEnum(&f, "sensitivity", q.Sensitivity, Sensitivities)
	checkEnum(&f, "mode", q.Mode, Modes)
	checkEnum(&f, "tag", q.Tag, Tags)
	if _, ok := fieldSorts[q.Sort]; !ok {
		f.Add("sort", "must be one of object, name, label, sensitivity, mode, updated")
	}
	if q.Limit < 1 || q.Limit > 500 {
		f.Add("limit", "must be between 1 and 500")
	}
	if q.Offset < 0 {
		f.Add("offset", "must not be negative")
	}
	if err := f.Err(); err != nil {
		return nil, 0, err
	}
	return s.store.ListFields(ctx, tenantID, q)
}

func checkEnum(f *problem.Fields, field, v string, allowed []string) {
	if v != "" && !slices.Contains(allowed, v) {
		f.Add(field, "%q is not one of %v", v, allowed)
	}
}

// FieldDetail returns a field with its definition and policy histories.
func (s *Service) FieldDetail(ctx context.Context, tenantID, id string) (FieldDetail, error) {
	f, err := s.field(ctx, tenantID, id)
	if err != nil {
		return FieldDetail{}, err
	}
	d := FieldDetail{Field: f}
	if d.Definitions, err = s.store.Versions(ctx, tenantID, id); err != nil {
		return d, err
	}
	d.Policies, err = s.store.PolicyHistory(ctx, tenantID, id)
	return d, err
}

func (s *Service) field(ctx context.Context, tenantID, id string) (Field, error) {
	if !db.IsUUID(id) {
		return Field{}, problem.NotFound("field")
	}
	f, err := s.store.Field(ctx, tenantID, id)
	if db.NotFound(err) {
		return f, problem.NotFound("field")
	}
	return f, err
}

// PolicyInput is a full policy from the editor.
type PolicyInput struct {
	Sensitivity         string
	Mode                string
	ConfidenceThreshold *float64
	EvidenceRequired    bool
	SLAMinutes          *int
	Tags                []string
}

// validatePolicy checks a policy; prefix names where it came from (e.g. an import path).
func validatePolicy(f *problem.Fields, prefix string, p Policy) {
	checkEnumRequired(f, prefix+"sensitivity", p.Sensitivity, Sensitivities)
	checkEnumRequired(f, prefix+"mode", p.Mode, Modes)
	if p.ConfidenceThreshold < 0 || p.ConfidenceThreshold > 1 {
		f.Add(prefix+"confidence_threshold", "must be between 0 and 1")
	}
	if p.SLAMinutes != nil && (*p.SLAMinutes < 1 || *p.SLAMinutes > 60*24*30) {
		f.Add(prefix+"sla_minutes", "must be between 1 and 43200 minutes (30 days)")
	}
	for i, t := range p.Tags {
		if !slices.Contains(Tags, t) {
			f.Add(fmt.Sprintf("%stags[%d]", prefix, i), "%q is not one of %v", t, Tags)
		}
	}
	if p.Sensitivity == "critical" && p.Mode == "auto" {
		f.Add(prefix+"mode", "critical fields are human-only: choose review, two_person or blocked")
	}
}

func checkEnumRequired(f *problem.Fields, field, v string, allowed []string) {
	if v == "" {
		f.Add(field, "is required (one of %v)", allowed)
		return
	}
	checkEnum(f, field, v, allowed)
}

// SetPolicy replaces a field's policy; the change is recorded with its author.
func (s *Service) SetPolicy(ctx context.Context, actor principal.Principal, fieldID string, in PolicyInput) (Field, error) {
	p := Policy{Sensitivity: in.Sensitivity, Mode: in.Mode, ConfidenceThreshold: DefaultThreshold,
		EvidenceRequired: in.EvidenceRequired, SLAMinutes: in.SLAMinutes, Tags: sortedTags(in.Tags), Decided: true,
		Reason: "Set by " + actor.Email}
	if in.ConfidenceThreshold != nil {
		p.ConfidenceThreshold = *in.ConfidenceThreshold
	}
	if !db.IsUUID(fieldID) {
		return Field{}, problem.NotFound("field")
	}
	var f problem.Fields
	validatePolicy(&f, "", p)
	if err := f.Err(); err != nil {
		return Field{}, err
	}
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		locked, err := s.store.LockPolicies(ctx, actor.TenantID, []string{fieldID})
		if err != nil {
			return err
		}
		cur, ok := locked[fieldID]
		if !ok {
			return problem.NotFound("field")
		}
		if cur.Policy.Same(p) {
			return nil
		}
		before := cur.Policy
		if err := s.store.WritePolicies(ctx, actor.TenantID, []PolicyWrite{{FieldID: fieldID, Before: &before, After: p}},
			Actor{UserID: actor.UserID, Email: actor.Email, Source: "console"}, s.Clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, actor, audit.PolicyChanged, cur.Object+"."+cur.Name, map[string]any{
			"field_id": fieldID, "before": policyDetail(before), "after": policyDetail(p)})
	})
	if err != nil {
		return Field{}, err
	}
	return s.field(ctx, actor.TenantID, fieldID)
}

// BulkInput changes many fields at once; nil/empty parts are left alone.
type BulkInput struct {
	FieldIDs    []string
	Sensitivity string
	Mode        string
	AddTags     []string
	RemoveTags  []string
	Confirm     bool
}

// BulkUpdate applies one change to many fields, all or nothing, and returns
// how many policies changed.
func (s *Service) BulkUpdate(ctx context.Context, actor principal.Principal, in BulkInput) (int, error) {
	var f problem.Fields
	if len(in.FieldIDs) == 0 || len(in.FieldIDs) > 5000 {
		f.Add("field_ids", "select between 1 and 5000 fields")
	}
	checkEnum(&f, "sensitivity", in.Sensitivity, Sensitivities)
	checkEnum(&f, "mode", in.Mode, Modes)
	checkTags(&f, "add_tags", in.AddTags)
	checkTags(&f, "remove_tags", in.RemoveTags)
	if in.Sensitivity == "" && in.Mode == "" && len(in.AddTags) == 0 && len(in.RemoveTags) == 0 && !in.Confirm {
		f.Add("field_ids", "choose a change: sensitivity, mode, tags or confirm")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	ids := dedupe(in.FieldIDs)
	var changed int
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		for _, id := range ids {
			if !db.IsUUID(id) {
				return problem.NotFound("field " + id)
			}
		}
		locked, err := s.store.LockPolicies(ctx, actor.TenantID, ids)
		if err != nil {
			return err
		}
		var writes []PolicyWrite
		var bad problem.Fields
		for i, id := range ids {
			cur, ok := locked[id]
			if !ok {
				return problem.NotFound("field " + id)
			}
			next := bulkApply(cur.Policy, in, actor.Email)
			validatePolicy(&bad, fmt.Sprintf("field_ids[%d] (%s.%s): ", i, cur.Object, cur.Name), next)
			if !next.Same(cur.Policy) {
				before := cur.Policy
				writes = append(writes, PolicyWrite{FieldID: id, Before: &before, After: next})
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		changed = len(writes)
		if changed == 0 {
			return nil
		}
		if err := s.store.WritePolicies(ctx, actor.TenantID, writes, Actor{UserID: actor.UserID, Email: actor.Email, Source: "bulk"}, s.Clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, actor, audit.PoliciesBulk, fmt.Sprintf("%d fields", changed), map[string]any{
			"changed": changed, "sensitivity": in.Sensitivity, "mode": in.Mode, "add_tags": in.AddTags,
			"remove_tags": in.RemoveTags, "confirm": in.Confirm})
	})
	return changed, err
}

func bulkApply(p Policy, in BulkInput, email string) Policy {
	next := p
	next.Tags = slices.Clone(p.Tags)
	if in.Sensitivity != "" {
		next.Sensitivity = in.Sensitivity
	}
	if in.Mode != "" {
		next.Mode = in.Mode
	}
	next.Tags = append(next.Tags, in.AddTags...)
	next.Tags = slices.DeleteFunc(next.Tags, func(t string) bool { return slices.Contains(in.RemoveTags, t) })
	next.Tags = sortedTags(next.Tags)
	next.Decided = true
	next.Reason = "Set by " + email
	return next
}

func checkTags(f *problem.Fields, field string, tags []string) {
	for i, t := range tags {
		if !slices.Contains(Tags, t) {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "%q is not one of %v", t, Tags)
		}
	}
}

func dedupe(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// policyDetail is the part of a policy the audit trail shows.
func policyDetail(p Policy) map[string]any {
	return map[string]any{"sensitivity": p.Sensitivity, "mode": p.Mode, "tags": p.Tags,
		"confidence_threshold": p.ConfidenceThreshold, "evidence_required": p.EvidenceRequired, "sla_minutes": p.SLAMinutes}
}

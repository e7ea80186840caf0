package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"countersign/backend/internal/crm"
)

type fieldKey struct{ Object, Name string }

// definitionHash fingerprints what a sync compares, so unchanged fields cost
// nothing but a timestamp.
func definitionHash(f crm.Field) string {
	b, _ := json.Marshal(definitionOf(f))
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// definitionOf is the comparable part of a definition, attribute by attribute.
func definitionOf(f crm.Field) map[string]any {
	opts := f.Options
	if opts == nil {
		opts = []crm.Option{}
	}
	return map[string]any{"label": f.Label, "type": string(f.Type), "raw_type": f.RawType, "options": opts,
		"read_only": f.ReadOnly, "crm_sensitivity": f.Sensitivity, "archived": f.Archived, "custom": f.Custom,
		"description": f.Description}
}

// diffDefinitions lists the attributes that changed as {attr: {before, after}}.
func diffDefinitions(before, after crm.Field) map[string]any {
	a, b := definitionOf(before), definitionOf(after)
	out := map[string]any{}
	for k, v := range b {
		old, _ := json.Marshal(a[k])
		now, _ := json.Marshal(v)
		if string(old) != string(now) {
			out[k] = map[string]any{"before": a[k], "after": v}
		}
	}
	return out
}

// plan is what one sync will write, computed before any write so the writes
// happen in one short transaction.
type plan struct {
	inserts   []crm.Field
	updateIDs []string
	updates   []crm.Field
	touched   []string
	versions  []versionJSON
	summary   SyncSummary
}

// planSync compares what the CRM reports with the catalog. A field the CRM no
// longer lists is archived; one that comes back is restored.
func planSync(existing []Field, hashes []string, seen []crm.Field) plan {
	var p plan
	known := make(map[fieldKey]int, len(existing))
	for i, f := range existing {
		known[fieldKey{f.Object, f.Name}] = i
	}
	present := map[fieldKey]bool{}
	for _, f := range seen {
		k := fieldKey{f.Object, f.Name}
		if present[k] {
			continue // a provider listing a field twice must not insert it twice
		}
		present[k] = true
		i, ok := known[k]
		if !ok {
			p.inserts = append(p.inserts, f)
			p.summary.New++
			continue
		}
		old := existing[i]
		p.touched = append(p.touched, old.ID)
		if hashes[i] == definitionHash(f) {
			p.summary.Unchanged++
			continue
		}
		p.updateIDs, p.updates = append(p.updateIDs, old.ID), append(p.updates, f)
		p.versions = append(p.versions, versionJSON{FieldID: old.ID, Change: changeKind(old.Field, f), Detail: diffDefinitions(old.Field, f)})
		p.count(changeKind(old.Field, f))
	}
	for i, f := range existing {
		if present[fieldKey{f.Object, f.Name}] || f.Archived {
			continue
		}
		gone := f.Field
		gone.Archived = true
		p.updateIDs, p.updates = append(p.updateIDs, existing[i].ID), append(p.updates, gone)
		p.versions = append(p.versions, versionJSON{FieldID: f.ID, Change: "archived",
			Detail: map[string]any{"reason": "no longer listed by the CRM"}})
		p.summary.Archived++
	}
	return p
}

func changeKind(before, after crm.Field) string {
	switch {
	case !before.Archived && after.Archived:
		return "archived"
	case before.Archived && !after.Archived:
		return "restored"
	}
	return "changed"
}

func (p *plan) count(kind string) {
	switch kind {
	case "archived":
		p.summary.Archived++
	case "restored":
		p.summary.Restored++
	default:
		p.summary.Changed++
	}
}

// fetchFields reads every object's fields, reporting progress as it goes.
func fetchFields(ctx context.Context, conn crm.Connector, progress func(SyncProgress)) ([]crm.Field, error) {
	objects, err := conn.ObjectTypes(ctx)
	if err != nil {
		return nil, err
	}
	p := SyncProgress{ObjectsTotal: len(objects)}
	var all []crm.Field
	for _, o := range objects {
		p.CurrentObject = o.Name
		progress(p)
		fs, err := conn.Fields(ctx, o.Name)
		if err != nil {
			return nil, fmt.Errorf("fields of %s: %w", o.Name, err)
		}
		for i := range fs {
			fs[i].Object = o.Name
		}
		all = append(all, fs...)
		p.ObjectsDone++
		p.FieldsSeen += len(fs)
	}
	p.CurrentObject = ""
	progress(p)
	slices.SortFunc(all, func(a, b crm.Field) int {
		if a.Object != b.Object {
			return compare(a.Object, b.Object)
		}
		return compare(a.Name, b.Name)
	})
	return all, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// apply writes a plan: fields, their versions, and default policies for new
// fields (with the reason, awaiting a decision).
func (s *Service) apply(ctx context.Context, c Connection, p plan, now time.Time) error {
	ids, err := s.store.InsertFields(ctx, c.TenantID, c.ID, p.inserts, now)
	if err != nil {
		return err
	}
	var defaults []PolicyWrite
	versions := p.versions
	for _, f := range p.inserts {
		id := ids[fieldKey{f.Object, f.Name}]
		defaults = append(defaults, PolicyWrite{FieldID: id, After: s.defaults.For(f)})
		versions = append(versions, versionJSON{FieldID: id, Change: "new", Detail: map[string]any{"type": f.Type, "label": f.Label}})
	}
	if err := s.store.UpdateDefinitions(ctx, c.TenantID, p.updateIDs, p.updates); err != nil {
		return err
	}
	if err := s.store.TouchFields(ctx, c.TenantID, p.touched, now); err != nil {
		return err
	}
	if err := s.store.InsertVersions(ctx, c.TenantID, versions, now); err != nil {
		return err
	}
	if err := s.store.BumpRevision(ctx, c.TenantID, c.ID); err != nil {
		return err
	}
	return s.store.WritePolicies(ctx, c.TenantID, defaults, Actor{Source: "default"}, now)
}

package catalog

import (
	"countersign/backend/api"
)

// Named converters between domain and API types; the domain never sees JSON tags.

func toAPIConnection(c Connection) api.Connection {
	out := api.Connection{Id: c.ID, Name: c.Name, Provider: api.Provider(c.Provider), BaseUrl: c.BaseURL,
		Credentials: c.CredentialHints, SyncIntervalMinutes: c.SyncIntervalMinutes, Status: api.ConnectionStatus(c.Status),
		LastSyncedAt: c.LastSyncedAt, NextSyncAt: c.NextSyncAt, CreatedAt: c.CreatedAt, FieldCount: c.FieldCount,
		NeedsDecision: c.NeedsDecision}
	if c.LastError != "" {
		out.LastError = &c.LastError
	}
	if c.LastRun != nil {
		r := toAPIRun(*c.LastRun)
		out.LastRun = &r
	}
	return out
}

func toAPIRun(r SyncRun) api.SyncRun {
	out := api.SyncRun{Id: r.ID, ConnectionId: r.ConnectionID, Status: api.SyncRunStatus(r.Status),
		Trigger: api.SyncRunTrigger(r.Trigger), CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	out.Progress.ObjectsDone, out.Progress.ObjectsTotal, out.Progress.FieldsSeen = r.Progress.ObjectsDone, r.Progress.ObjectsTotal, r.Progress.FieldsSeen
	if r.Progress.CurrentObject != "" {
		out.Progress.CurrentObject = &r.Progress.CurrentObject
	}
	if r.Error != "" {
		out.Error = &r.Error
	}
	if s := r.Summary; s != nil {
		out.Summary = &api.SyncSummary{New: s.New, Changed: s.Changed, Archived: s.Archived, Restored: s.Restored,
			Unchanged: s.Unchanged, NeedsDecision: s.NeedsDecision}
	}
	return out
}

func toAPIPolicy(p Policy) api.Policy {
	out := api.Policy{Sensitivity: api.Sensitivity(p.Sensitivity), Mode: api.PolicyMode(p.Mode),
		ConfidenceThreshold: p.ConfidenceThreshold, EvidenceRequired: p.EvidenceRequired, SlaMinutes: p.SLAMinutes,
		Tags: make([]api.ImpactTag, len(p.Tags)), Decided: p.Decided, Reason: p.Reason}
	for i, t := range p.Tags {
		out.Tags[i] = api.ImpactTag(t)
	}
	if !p.UpdatedAt.IsZero() {
		out.UpdatedAt = &p.UpdatedAt
	}
	return out
}

func toAPIField(f Field) api.Field {
	out := api.Field{Id: f.ID, ConnectionId: f.ConnectionID, ConnectionName: f.ConnectionName, Object: f.Object, Name: f.Name,
		Label: f.Label, Type: string(f.Type), RawType: f.RawType, ReadOnly: f.ReadOnly, Archived: f.Archived, Custom: f.Custom,
		CrmSensitivity: f.Sensitivity, Options: make([]api.FieldOption, len(f.Options)), Policy: toAPIPolicy(f.Policy)}
	for i, o := range f.Options {
		out.Options[i] = api.FieldOption{Value: o.Value, Label: o.Label}
	}
	return out
}

func toAPIFieldDetail(d FieldDetail) api.FieldDetail {
	f := toAPIField(d.Field)
	out := api.FieldDetail{Id: f.Id, ConnectionId: f.ConnectionId, ConnectionName: f.ConnectionName, Object: f.Object,
		Name: f.Name, Label: f.Label, Type: f.Type, RawType: f.RawType, ReadOnly: f.ReadOnly, Archived: f.Archived,
		Custom: f.Custom, CrmSensitivity: f.CrmSensitivity, Options: f.Options, Policy: f.Policy,
		Description: d.Description, FirstSeenAt: d.FirstSeenAt, LastSeenAt: d.LastSeenAt,
		DefinitionHistory: make([]api.DefinitionChange, len(d.Definitions)), PolicyHistory: make([]api.PolicyChange, len(d.Policies))}
	for i, v := range d.Definitions {
		out.DefinitionHistory[i] = api.DefinitionChange{At: v.At, Change: api.DefinitionChangeChange(v.Change), Detail: v.Detail}
	}
	for i, c := range d.Policies {
		pc := api.PolicyChange{At: c.At, ActorEmail: c.ActorEmail, Source: api.PolicyChangeSource(c.Source), After: toAPIPolicy(c.After)}
		if c.Before != nil {
			b := toAPIPolicy(*c.Before)
			pc.Before = &b
		}
		out.PolicyHistory[i] = pc
	}
	return out
}

func toAPIImport(r ImportResult) api.PolicyImportResult {
	out := api.PolicyImportResult{Applied: r.Applied, Unchanged: r.Unchanged}
	out.Changes = make([]struct {
		After      api.Policy `json:"after"`
		Before     api.Policy `json:"before"`
		Connection string     `json:"connection"`
		Field      string     `json:"field"`
		FieldId    string     `json:"field_id"`
		Object     string     `json:"object"`
	}, len(r.Changes))
	for i, c := range r.Changes {
		out.Changes[i].After, out.Changes[i].Before = toAPIPolicy(c.After), toAPIPolicy(c.Before)
		out.Changes[i].Connection, out.Changes[i].Field, out.Changes[i].FieldId, out.Changes[i].Object = c.Connection, c.Field, c.FieldID, c.Object
	}
	return out
}

func fromAPITags(tags []api.ImpactTag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = string(t)
	}
	return out
}

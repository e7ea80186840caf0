package agents

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Target is a record an agent's batch touches, or (Field set) one of its
// fields that has a cap of its own.
type Target struct {
	Object   string `json:"object"`
	RecordID string `json:"record_id"`
	Field    string `json:"field,omitempty"`
}

// RecordTargets adds a batch's targets to a's velocity window at now, in
// the caller's transaction (a refused batch leaves no trace). It returns the
// distinct records a targeted in its rolling hour (a.VelocitySince), this
// batch included, under "" and, under "object.field", the records of each of
// a.FieldCaps; and the records of the batch a had targeted before, whatever
// the time — only those can have an older proposal to supersede.
func (s *Service) RecordTargets(ctx context.Context, a Agent, batch []Target, now time.Time) (map[string]int, map[Target]bool, error) {
	windows := make([]string, 1, 1+len(a.FieldCaps))
	for field := range a.FieldCaps {
		windows = append(windows, field)
	}
	return s.store.RecordTargets(ctx, a.TenantID, a.ID, batch, now, a.VelocitySince(now), windows)
}

// RecordTargets remembers that the agent targeted these records now, and
// these record fields where a field has its own cap. A target with Field ""
// is the record itself. It returns, for each window ("" for all records, or
// "object.field" for a capped field), the distinct records the agent
// targeted since t, this batch included; and the records of the batch the
// agent had targeted before — in one statement. Supersede relies on that
// second answer: only those records can have an older proposal, which holds
// because intake records every record it stores a proposal for, here, in the
// same transaction, and no row of agent_targets is ever deleted. (A clean-up
// of old rows would have to keep the records of queued proposals.)
func (s *Store) RecordTargets(ctx context.Context, tenantID, agentID string, batch []Target, now, since time.Time, windows []string) (map[string]int, map[Target]bool, error) {
	type window struct {
		Key    string `json:"key"`
		Object string `json:"object"`
		Field  string `json:"field"`
	}
	ws := make([]window, len(windows))
	for i, w := range windows {
		ws[i].Key = w
		ws[i].Object, ws[i].Field, _ = strings.Cut(w, ".")
	}
	b, _ := json.Marshal(batch)
	w, _ := json.Marshal(ws)
	var rows []struct {
		Key   string
		N     int
		Known string
	}
	// The count reads the table as it was before the upsert (one snapshot);
	// the upsert returns each target's previous time, so the batch's targets
	// that were not in the window yet are added without a join the planner
	// could get wrong.
	err := s.db.Conn(ctx).Raw(`
		WITH arg AS (SELECT ?::uuid AS tenant, ?::uuid AS agent, ?::timestamptz AS now, ?::timestamptz AS since),
		x AS (
		  SELECT DISTINCT x.object, x.record_id, COALESCE(x.field, '') AS field
		  FROM jsonb_to_recordset(?::jsonb) AS x(object text, record_id text, field text)
		), up AS (
		  INSERT INTO agent_targets (tenant_id, agent_id, object, record_id, field, last_at)
		  SELECT arg.tenant, arg.agent, x.object, x.record_id, x.field, arg.now FROM x, arg
		  ORDER BY x.object, x.record_id, x.field
		  ON CONFLICT (tenant_id, agent_id, object, record_id, field)
		  DO UPDATE SET last_at = EXCLUDED.last_at, prev_at = agent_targets.last_at
		  RETURNING object, record_id, field, prev_at
		)
		SELECT w.key,
		  (SELECT count(*) FROM agent_targets t
		   WHERE t.tenant_id = arg.tenant AND t.agent_id = arg.agent AND t.field = w.field AND (w.object = '' OR t.object = w.object)
		     AND t.last_at > arg.since)
		  + (SELECT count(*) FROM up WHERE up.field = w.field AND (w.object = '' OR up.object = w.object)
		     AND (up.prev_at IS NULL OR up.prev_at <= arg.since)) AS n,
		  (SELECT COALESCE(json_agg(json_build_object('object', up.object, 'record_id', up.record_id)), '[]')
		   FROM up WHERE up.field = '' AND up.prev_at IS NOT NULL)::text AS known
		FROM jsonb_to_recordset(?::jsonb) AS w(key text, object text, field text), arg`,
		tenantID, agentID, now, since, string(b), string(w)).Scan(&rows).Error
	if err != nil {
		return nil, nil, err
	}
	out, known := make(map[string]int, len(rows)), map[Target]bool{}
	for i, r := range rows {
		out[r.Key] = r.N
		if i == 0 {
			// supersede trusts this list: a record missing from it would keep an older proposal alive
			var ts []Target
			if err := json.Unmarshal([]byte(r.Known), &ts); err != nil {
				return nil, nil, fmt.Errorf("decoding the records agent %s targeted before: %w", agentID, err)
			}
			for _, t := range ts {
				known[t] = true
			}
		}
	}
	return out, known, nil
}

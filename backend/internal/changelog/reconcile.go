package changelog

import (
	"context"
	"fmt"
	"time"

	"countersign/backend/internal/alerts"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/sandbox"
	"countersign/backend/internal/fieldvalue"
)

// Reconciliation reads the CRM's own history of the fields Countersign
// wrote: a later edit by someone else is a correction (crm_edit) of our
// change, and the agent hears of it; a write by our own integration that the
// log does not hold raises an alert (someone used our credentials outside
// Countersign, or a write escaped the log).
const (
	reconcileEvery  = 5 * time.Minute
	reconcileWindow = 30 * 24 * time.Hour // changes older than this are not watched
	matchSlack      = 10 * time.Minute    // how far apart our event and the CRM's entry of one write may be
)

// ReconcileArgs is the periodic reconciliation of every tenant.
type ReconcileArgs struct{}

// Kind names the job.
func (ReconcileArgs) Kind() string { return "changelog.reconcile" }

// ReconcileResult counts what a reconciliation found.
type ReconcileResult struct{ Checked, Corrections, Unlogged int }

// ourActor is how a provider's history names writes made with our
// credentials ("" when it cannot tell them from other integrations').
func ourActor(p crm.Provider) string {
	if p == crm.Sandbox {
		return sandbox.Actor
	}
	return ""
}

type watched struct {
	Seq                     int64
	Object, RecordID, Field string
	AfterValue              string
	At                      time.Time
	ProposalID, AgentID     *string
	Reverts                 *int64
}

// Reconcile reads the history of each connection's watched fields since the
// last run.
func (s *Service) Reconcile(ctx context.Context, tenantID string) (ReconcileResult, error) {
	var res ReconcileResult
	conns, err := s.catalog.Connections(ctx, tenantID)
	if err != nil {
		return res, err
	}
	now := s.clock.Now()
	for _, c := range conns {
		r, err := s.reconcileConnection(ctx, tenantID, c.ID, c.Provider, now)
		res.Checked, res.Corrections, res.Unlogged = res.Checked+r.Checked, res.Corrections+r.Corrections, res.Unlogged+r.Unlogged
		if err != nil {
			return res, fmt.Errorf("connection %s: %w", c.Name, err)
		}
	}
	return res, nil
}

func (s *Service) reconcileConnection(ctx context.Context, tenantID, connectionID string, provider crm.Provider, now time.Time) (ReconcileResult, error) {
	var res ReconcileResult
	var cursor []time.Time
	if err := s.db.Conn(ctx).Raw(`SELECT read_until FROM reconcile_cursors WHERE tenant_id = ? AND connection_id = ?`,
		tenantID, connectionID).Scan(&cursor).Error; err != nil {
		return res, err
	}
	since := now.Add(-reconcileWindow)
	if len(cursor) == 1 {
		since = cursor[0].Add(-time.Minute) // overlap: what is found twice is counted once
	}
	latest, err := s.watched(ctx, tenantID, connectionID, now.Add(-reconcileWindow))
	if err != nil {
		return res, err
	}
	var recent []watched
	if len(latest) == 0 {
		return res, s.moveCursor(ctx, tenantID, connectionID, now)
	}
	if err := s.db.Conn(ctx).Raw(`SELECT seq, object, record_id, field, after_value, at FROM change_events
		WHERE tenant_id = ? AND connection_id = ? AND at >= ?`, tenantID, connectionID, since.Add(-matchSlack)).Scan(&recent).Error; err != nil {
		return res, err
	}
	ours := map[string][]watched{}
	for _, w := range recent {
		k := w.Object + "\x00" + w.RecordID + "\x00" + w.Field
		ours[k] = append(ours[k], w)
	}
	conn, err := s.catalog.Connector(ctx, tenantID, connectionID)
	if err != nil {
		return res, err
	}
	byObject := map[string][]watched{}
	for _, w := range latest {
		byObject[w.Object] = append(byObject[w.Object], w)
	}
	var unlogged []crm.Change
	for object, ws := range byObject {
		specs, err := s.catalog.Specs(ctx, tenantID, connectionID, object, false)
		if err != nil {
			return res, err
		}
		for start := 0; start < len(ws); start += 100 {
			part := ws[start:min(start+100, len(ws))]
			last := map[string]watched{}
			ts := make([]crm.Target, len(part))
			for i, w := range part {
				last[w.RecordID+"\x00"+w.Field] = w
				ts[i] = crm.Target{RecordID: w.RecordID, Field: w.Field}
			}
			ids, fields := crm.Split(ts)
			changes, err := conn.History(ctx, object, ids, fields, since)
			if err != nil {
				return res, err
			}
			for _, ch := range changes {
				w, watchedField := last[ch.RecordID+"\x00"+ch.Field]
				if !watchedField {
					continue
				}
				res.Checked++
				spec := specs[ch.Field]
				if actor := ourActor(provider); actor != "" && ch.Source == crm.SourceAPI && ch.Actor == actor {
					if !logged(ours[object+"\x00"+ch.RecordID+"\x00"+ch.Field], spec, ch) {
						unlogged = append(unlogged, ch)
					}
					continue
				}
				if w.Reverts != nil || !ch.At.After(w.At) || fieldvalue.Same(spec, ch.Value, decode([]byte(w.AfterValue))) {
					continue
				}
				n, err := s.correct(ctx, tenantID, w, ch, now)
				if err != nil {
					return res, err
				}
				res.Corrections += n
			}
		}
	}
	if len(unlogged) > 0 {
		res.Unlogged = len(unlogged)
		u := unlogged[0]
		if err := s.alerts.Raise(ctx, alerts.Alert{TenantID: tenantID, Kind: "unlogged_write", Severity: "critical",
			Title: fmt.Sprintf("%d write(s) by Countersign's CRM credentials are not in the change log", len(unlogged)),
			Detail: map[string]any{"connection_id": connectionID, "record_id": u.RecordID, "field": u.Field, "at": u.At, "value": u.Value,
				"count": len(unlogged)}}); err != nil {
			return res, err
		}
	}
	return res, s.moveCursor(ctx, tenantID, connectionID, now)
}

// watched is the newest of our changes of each field we wrote since from,
// read in pages (a field, record and object at a time, in order).
func (s *Service) watched(ctx context.Context, tenantID, connectionID string, from time.Time) ([]watched, error) {
	const page = 5000
	var out []watched
	var after watched
	for {
		var rows []watched
		if err := s.db.Conn(ctx).Raw(`SELECT DISTINCT ON (object, record_id, field) seq, object, record_id, field, after_value, at,
			proposal_id, agent_id, reverts FROM change_events WHERE tenant_id = ? AND connection_id = ? AND at >= ?
			AND (object, record_id, field) > (?, ?, ?)
			ORDER BY object, record_id, field, seq DESC LIMIT ?`, tenantID, connectionID, from, after.Object, after.RecordID, after.Field, page).
			Scan(&rows).Error; err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if len(rows) < page {
			return out, nil
		}
		after = rows[len(rows)-1]
	}
}

// logged reports whether one of our events wrote the change's value close to its time.
func logged(ours []watched, spec fieldvalue.Spec, ch crm.Change) bool {
	for _, w := range ours {
		d := ch.At.Sub(w.At)
		if d < 0 {
			d = -d
		}
		if d <= matchSlack && fieldvalue.Same(spec, ch.Value, decode([]byte(w.AfterValue))) {
			return true
		}
	}
	return false
}

// correct records a crm_edit correction of our change (once) and tells its agent.
func (s *Service) correct(ctx context.Context, tenantID string, w watched, ch crm.Change, now time.Time) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		value, err := canonicalValue(ch.Value)
		if err != nil {
			return err
		}
		var inserted []int64
		if err := s.db.Conn(ctx).Raw(`INSERT INTO corrections (tenant_id, change_seq, proposal_id, agent_id, kind, actor, value, reason, at)
			VALUES (?, ?, ?, ?, 'crm_edit', ?, ?, ?, ?) ON CONFLICT (tenant_id, change_seq, kind) DO NOTHING RETURNING seq`,
			tenantID, w.Seq, w.ProposalID, w.AgentID, ch.Actor, value, "changed in the CRM by "+string(ch.Source), ch.At).
			Scan(&inserted).Error; err != nil {
			return err
		}
		if len(inserted) == 0 || w.ProposalID == nil {
			n = len(inserted)
			return nil
		}
		n = 1
		return s.proposals.Feedback(ctx, tenantID, *w.ProposalID, "corrected", map[string]any{"correction": "crm_edit",
			"change_seq": w.Seq, "value": ch.Value, "by": ch.Actor, "source": ch.Source, "at": ch.At}, now)
	})
	return n, err
}

func (s *Service) moveCursor(ctx context.Context, tenantID, connectionID string, at time.Time) error {
	return s.db.Conn(ctx).Exec(`INSERT INTO reconcile_cursors (tenant_id, connection_id, read_until) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, connection_id) DO UPDATE SET read_until = EXCLUDED.read_until`, tenantID, connectionID, at).Error
}

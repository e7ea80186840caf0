package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/platform/db"
)

var (
	proposalCols = []string{"id", "tenant_id", "agent_id", "batch_id", "object", "record_id", "field", "field_id", "operation",
		"expected_old", "proposed", "confidence", "rationale", "route", "reasons", "status", "final_value", "applied_seq", "created_at", "updated_at"}
	itemCols = []string{"id", "tenant_id", "proposal_id", "queue_id", "agent_id", "object", "record_id", "field", "sensitivity",
		"approvals_required", "approved_by", "sla_minutes", "due_at", "rank_at", "state", "escalated_at", "escalated_from", "created_at", "decided_at"}
	decisionCols = []string{"seq", "tenant_id", "item_id", "proposal_id", "user_id", "verdict", "value", "reason_code", "comment", "at", "latency_ms"}
	changeCols   = []string{"tenant_id", "seq", "id", "at", "connection_id", "object", "record_id", "field", "before_value", "after_value",
		"actor_kind", "agent_id", "user_id", "proposal_id", "decision_seqs", "policy_version", "reverts", "reason", "prev_hash", "hash"}
	reviewCols     = []string{"tenant_id", "seq", "route_reasons", "quorum_met", "sla_met", "approver_ids"}
	correctionCols = []string{"tenant_id", "change_seq", "proposal_id", "agent_id", "kind", "user_id", "actor", "value", "reason", "at"}
	auditItemCols  = []string{"tenant_id", "audit_id", "change_seq", "stratum", "verdict", "note", "checked_by", "checked_at"}
)

// counts are the rows loaded.
type counts struct {
	changes, proposals, items, decisions, corrections, auditItems int
	byActor                                                       map[string]int
}

func (c *counts) rows() int {
	return c.changes + c.proposals + c.items + c.decisions + c.corrections + c.auditItems
}

// batch is one COPY transaction's rows.
type batch struct {
	proposals, items, decisions, changes, reviews, corrections, auditItems [][]any
}

func (b *batch) tables() []benchkit.Table {
	return []benchkit.Table{{Name: "proposals", Columns: proposalCols, Rows: b.proposals}, {Name: "review_items", Columns: itemCols, Rows: b.items},
		{Name: "review_decisions", Columns: decisionCols, Rows: b.decisions}, {Name: "change_events", Columns: changeCols, Rows: b.changes},
		{Name: "change_reviews", Columns: reviewCols, Rows: b.reviews},
		{Name: "corrections", Columns: correctionCols, Rows: b.corrections}, {Name: "audit_items", Columns: auditItemCols, Rows: b.auditItems}}
}

// load generates the history of events change events and COPYs it, writers
// transactions at a time; memory stays at a few batches.
func load(ctx context.Context, owner *db.DB, w *world, events, writers int) (counts, error) {
	var head struct {
		Seq  int64
		Hash []byte
	}
	if err := owner.Conn(ctx).Raw(`SELECT seq, hash FROM change_heads WHERE tenant_id = ?`, w.tenantID).Scan(&head).Error; err != nil {
		return counts{}, err
	}
	var decisionSeq int64
	if err := owner.Conn(ctx).Raw(`SELECT COALESCE(max(seq), 0) FROM review_decisions`).Scan(&decisionSeq).Error; err != nil {
		return counts{}, err
	}
	g := newGen(w, events, head.Seq, head.Hash, decisionSeq)
	batches := make(chan []benchkit.Table, writers)
	start, reported, loaded := time.Now(), 0, 0
	errc := make(chan error, 1)
	go func() {
		errc <- benchkit.LoadConcurrently(ctx, owner.Pool(), writers, batches, func(ts []benchkit.Table) {
			for _, t := range ts {
				if t.Name == "change_events" {
					loaded += len(t.Rows)
				}
			}
			if loaded*10/events > reported {
				reported = loaded * 10 / events
				fmt.Fprintf(os.Stderr, "  … %d change events loaded (%s)\n", loaded, time.Since(start).Round(time.Second))
			}
		})
	}()
	for {
		b, more := g.next()
		batches <- b.tables()
		if !more {
			break
		}
	}
	close(batches)
	if err := <-errc; err != nil {
		return g.n, err
	}
	if g.n.changes != events {
		return g.n, fmt.Errorf("generated %d change events, want %d", g.n.changes, events)
	}
	// the chain's head as appends keep it, and the decisions' sequence past the loaded seqs
	if err := owner.Conn(ctx).Exec(`INSERT INTO change_heads (tenant_id, seq, hash) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, w.tenantID, g.seq, g.prev).Error; err != nil {
		return g.n, err
	}
	if err := owner.Conn(ctx).Exec(`SELECT setval(pg_get_serial_sequence('review_decisions', 'seq'), ?)`, g.decisionSeq).Error; err != nil {
		return g.n, err
	}
	return g.n, owner.Conn(ctx).Exec(`UPDATE audits SET population = ? WHERE tenant_id = ? AND id = ?`, g.audited, w.tenantID, w.audit.id).Error
}

package proposals_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"countersign/backend/internal/proposals"
)

// newRow is a queued proposal of the bot on deals record D-1's amount, as
// intake writes it.
func (w *world) newRow(id, key string) proposals.NewRow {
	r := proposals.NewRow{ID: id, AgentID: w.bot, BatchID: "00000000-0000-4000-8000-00000000b001", Object: "deals", RecordID: "D-1",
		Field: "amount", Operation: "set", Proposed: 43.0, Confidence: 0.9, Rationale: "newer", Route: "review", Status: "queued"}
	if key != "" {
		r.IdempotencyKey = &key
	}
	return r
}

// A new queued proposal supersedes the same agent's older queued proposal of
// the same record field, and only that one; the older one's transition and
// the agent's feedback are written in the same statement as the new row.
func TestRecordBatch_supersedes_the_agents_older_queued_proposal_with_its_event_and_feedback(t *testing.T) {
	w := newWorld(t)
	older := w.propose(row{record: "D-1"})
	blocked := w.propose(row{record: "D-1", route: "blocked", status: "blocked"})
	otherField := w.propose(row{record: "D-1", field: "stage"})
	otherAgent := w.propose(row{record: "D-1", agent: w.alt})
	newID := "00000000-0000-4000-8000-0000000000a1"
	received := "received"
	var superseded []string
	err := w.app.InTx(w.ctx, func(ctx context.Context) (err error) {
		superseded, err = proposals.NewStore(w.app).RecordBatch(ctx, w.tenant, w.bot, []proposals.NewRow{w.newRow(newID, "")},
			[]proposals.NewEvent{{ProposalID: newID, From: &received, To: "queued", ActorKind: "agent", ActorID: w.bot}},
			map[proposals.RecordField]string{{Object: "deals", RecordID: "D-1", Field: "amount"}: newID}, w.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(superseded, []string{older}) {
		t.Errorf("superseded %v, want only the bot's older queued proposal of D-1.amount %s", superseded, older)
	}
	status := func(id string) (s struct{ Status, SupersededBy string }) {
		w.scan(&s, `SELECT status, COALESCE(superseded_by::text, '') AS superseded_by FROM proposals WHERE id = ?`, id)
		return s
	}
	if s := status(older); s.Status != "superseded" || s.SupersededBy != newID {
		t.Errorf("the older proposal is %+v, want superseded by %s", s, newID)
	}
	for name, id := range map[string]string{"blocked": blocked, "other field": otherField, "other agent": otherAgent} {
		if s := status(id); s.Status == "superseded" {
			t.Errorf("the %s proposal was superseded", name)
		}
	}
	var events []struct{ ProposalID, FromStatus, ToStatus, SupersededBy string }
	w.scan(&events, `SELECT proposal_id, from_status, to_status, COALESCE(detail->>'superseded_by', '') AS superseded_by
		FROM proposal_events ORDER BY seq`)
	if len(events) != 2 || events[0].ProposalID != newID || events[0].ToStatus != "queued" ||
		events[1].ProposalID != older || events[1].FromStatus != "queued" || events[1].ToStatus != "superseded" || events[1].SupersededBy != newID {
		t.Errorf("events %+v, want the new row's received→queued, then the older one's queued→superseded by it", events)
	}
	var feedback []struct{ AgentID, ProposalID, Outcome string }
	w.scan(&feedback, `SELECT agent_id, proposal_id, outcome FROM agent_feedback`)
	if len(feedback) != 1 || feedback[0].AgentID != w.bot || feedback[0].ProposalID != older || feedback[0].Outcome != "superseded" {
		t.Errorf("feedback %+v, want the bot hearing that %s was superseded", feedback, older)
	}
}

// A batch that meets an idempotency key stored before reports ErrKeyTaken on
// both write paths (intake then takes it again), and the key then reads back.
func TestIntakeWrites_report_a_taken_idempotency_key(t *testing.T) {
	w := newWorld(t)
	stored := w.propose(row{record: "D-1"})
	w.exec(`UPDATE proposals SET idempotency_key = 'k-1' WHERE id = ?`, stored)
	store := proposals.NewStore(w.app)
	for name, write := range map[string]func(ctx context.Context, r proposals.NewRow) error{
		"one statement": func(ctx context.Context, r proposals.NewRow) error {
			_, err := store.RecordBatch(ctx, w.tenant, w.bot, []proposals.NewRow{r}, nil, nil, w.clock.Now())
			return err
		},
		"COPY": func(ctx context.Context, r proposals.NewRow) error {
			return store.CopyProposals(ctx, w.tenant, []proposals.NewRow{r}, w.clock.Now())
		},
	} {
		err := w.app.InTx(w.ctx, func(ctx context.Context) error {
			return write(ctx, w.newRow("00000000-0000-4000-8000-0000000000a2", "k-1"))
		})
		if !errors.Is(err, proposals.ErrKeyTaken) {
			t.Errorf("%s: got %v, want ErrKeyTaken", name, err)
		}
	}
	var seen map[string]proposals.NewRow
	err := w.app.InTx(w.ctx, func(ctx context.Context) (err error) {
		seen, err = store.ByIdempotencyKey(ctx, w.tenant, w.bot, []string{"k-1", "k-2"})
		return err
	})
	if err != nil || len(seen) != 1 || seen["k-1"].ID != stored || seen["k-1"].Proposed != 42.0 {
		t.Errorf("keys read back: %+v (%v), want k-1 → %s", seen, err, stored)
	}
}

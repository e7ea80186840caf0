package changelog

import (
	"context"
	"encoding/base64"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
)

// Handlers serve the console's change log routes.
type Handlers struct{ svc *Service }

// NewHandlers returns the change log handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// ListChanges pages through the change log.
func (h *Handlers) ListChanges(ctx context.Context, req api.ListChangesRequestObject) (api.ListChangesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := req.Params
	f := Filter{Object: str(q.Object), RecordID: str(q.RecordId), Field: str(q.Field), AgentID: str(q.AgentId), BatchID: str(q.BatchId),
		ActorKind: str(q.ActorKind), Since: q.Since, Until: q.Until}
	var before int64
	if q.Before != nil {
		before = *q.Before
	}
	limit := 50
	if q.Limit != nil {
		limit = *q.Limit
	}
	page, err := h.svc.List(ctx, p.TenantID, f, before, limit)
	if err != nil {
		return nil, err
	}
	out := api.ListChanges200JSONResponse{Items: make([]api.ChangeEvent, len(page.Events)), Next: page.Next}
	for i, e := range page.Events {
		out.Items[i] = toAPIEvent(e)
	}
	return out, nil
}

// GetChange returns one change.
func (h *Handlers) GetChange(ctx context.Context, req api.GetChangeRequestObject) (api.GetChangeResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	e, err := h.svc.GetByID(ctx, p.TenantID, req.ChangeId)
	if err != nil {
		return nil, err
	}
	return api.GetChange200JSONResponse(toAPIEvent(e)), nil
}

// VerifyChanges walks the caller's workspace's chain.
func (h *Handlers) VerifyChanges(ctx context.Context, _ api.VerifyChangesRequestObject) (api.VerifyChangesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.svc.Verify(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.VerifyChanges200JSONResponse{Ok: v.OK, Events: v.Events, FirstBadSeq: v.FirstBad}
	if v.Problem != "" {
		out.Problem = &v.Problem
	}
	if c := v.Checkpoint; c != nil {
		out.Checkpoint = &api.Checkpoint{Seq: c.Seq, Hash: c.Hash, KeyId: c.KeyID, Signature: c.Signature, At: c.At, Valid: c.Valid}
	}
	return out, nil
}

// GetChangeLogPublicKey publishes the checkpoint key.
func (h *Handlers) GetChangeLogPublicKey(ctx context.Context, _ api.GetChangeLogPublicKeyRequestObject) (api.GetChangeLogPublicKeyResponseObject, error) {
	if _, err := principal.Require(ctx); err != nil {
		return nil, err
	}
	s := h.svc.Signer()
	return api.GetChangeLogPublicKey200JSONResponse{Algorithm: api.PublicKeyAlgorithmEd25519, KeyId: s.KeyID(),
		PublicKey: base64.StdEncoding.EncodeToString(s.PublicKey())}, nil
}

// RollbackChange undoes one change, or answers its conflict.
func (h *Handlers) RollbackChange(ctx context.Context, req api.RollbackChangeRequestObject) (api.RollbackChangeResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	in := RollbackInput{Reason: str(req.Body.Reason), Value: req.Body.Value, HasValue: req.Body.Value != nil}
	if req.Body.Resolution != nil {
		in.Resolution = string(*req.Body.Resolution)
	}
	if in.Resolution == SetValue {
		in.HasValue = true // a null value clears the field
	}
	res, err := h.svc.RollbackByID(ctx, p, req.ChangeId, in)
	if err != nil {
		return nil, err
	}
	out := api.RollbackChange200JSONResponse{Status: api.RollbackResultStatus(res.Status)}
	if res.Event != nil {
		e := toAPIEvent(*res.Event)
		out.Event = &e
	}
	if res.Conflict != nil {
		c := toAPIConflict(*res.Conflict)
		out.Conflict = &c
	}
	return out, nil
}

// ListRollbacks lists recent bulk rollbacks.
func (h *Handlers) ListRollbacks(ctx context.Context, _ api.ListRollbacksRequestObject) (api.ListRollbacksResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := h.svc.Rollbacks(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListRollbacks200JSONResponse{Items: make([]api.BulkRollback, len(rs))}
	for i, r := range rs {
		out.Items[i] = toAPIRollback(r)
	}
	return out, nil
}

// StartRollback previews or starts a bulk rollback.
func (h *Handlers) StartRollback(ctx context.Context, req api.StartRollbackRequestObject) (api.StartRollbackResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := req.Body.Filter
	f := Filter{Object: str(q.Object), RecordID: str(q.RecordId), Field: str(q.Field), AgentID: str(q.AgentId), BatchID: str(q.BatchId),
		RolloutID: str(q.RolloutId), ActorKind: str(q.ActorKind), Since: q.Since, Until: q.Until}
	if req.Body.Preview {
		pv, err := h.svc.PreviewRollback(ctx, p, f)
		if err != nil {
			return nil, err
		}
		out := api.RollbackPreview{Total: pv.Total, Checked: pv.Checked, Conflicts: pv.Conflicts, Samples: make([]api.RollbackConflict, len(pv.Samples))}
		for i, c := range pv.Samples {
			out.Samples[i] = toAPIConflict(c)
		}
		return api.StartRollback200JSONResponse{Preview: &out}, nil
	}
	b, err := h.svc.StartRollback(ctx, p, f, str(req.Body.Reason))
	if err != nil {
		return nil, err
	}
	r := toAPIRollback(b)
	return api.StartRollback200JSONResponse{Rollback: &r}, nil
}

// GetRollback returns a bulk rollback's progress.
func (h *Handlers) GetRollback(ctx context.Context, req api.GetRollbackRequestObject) (api.GetRollbackResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b, err := h.svc.GetRollback(ctx, p.TenantID, req.RollbackId)
	if err != nil {
		return nil, err
	}
	return api.GetRollback200JSONResponse(toAPIRollback(b)), nil
}

func toAPIEvent(e Event) api.ChangeEvent {
	return api.ChangeEvent{Seq: e.Seq, Id: e.ID, At: e.At, ConnectionId: e.ConnectionID, Object: e.Object, RecordId: e.RecordID,
		Field: e.Field, Before: decode(e.Before), After: decode(e.After), ActorKind: api.ChangeEventActorKind(e.ActorKind),
		AgentId: e.AgentID, AgentName: e.AgentName, UserId: e.UserID, UserName: e.UserName, ProposalId: e.ProposalID,
		DecisionSeqs: orNoInts(e.DecisionSeqs), PolicyVersion: e.PolicyVersion, Reverts: e.Reverts, RevertedBy: e.RevertedBy,
		Reason: e.Reason, Hash: e.Hash, PrevHash: e.PrevHash}
}

func toAPIConflict(c Conflict) api.RollbackConflict {
	out := api.RollbackConflict{Seq: c.Seq, Object: c.Object, RecordId: c.RecordID, Field: c.Field, Before: decode(c.Before),
		Ours: decode(c.Ours), Current: decode(c.Current)}
	if c.Problem != "" {
		out.Problem = &c.Problem
	}
	return out
}

func toAPIRollback(b BulkRollback) api.BulkRollback {
	f := b.Filter
	out := api.BulkRollback{Id: b.ID, Reason: b.Reason, State: api.BulkRollbackState(b.State), Total: b.Total, Reverted: b.Reverted,
		Skipped: b.Skipped, Conflicts: b.Conflicts, Failed: b.Failed, CreatedAt: b.CreatedAt, FinishedAt: b.FinishedAt, Error: b.Error,
		Filter: api.RollbackFilter{Object: opt(f.Object), RecordId: opt(f.RecordID), Field: opt(f.Field), AgentId: opt(f.AgentID),
			BatchId: opt(f.BatchID), RolloutId: opt(f.RolloutID), ActorKind: opt(f.ActorKind), Since: f.Since, Until: f.Until},
		Report: make([]api.RollbackConflict, len(b.Report))}
	for i, c := range b.Report {
		out.Report[i] = toAPIConflict(c)
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orNoInts(xs []int64) []int64 {
	if xs == nil {
		return []int64{}
	}
	return xs
}

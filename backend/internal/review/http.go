package review

import (
	"context"
	"slices"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/platform/ptr"
)

// Handlers serve the console's review routes.
type Handlers struct{ svc *Service }

// NewHandlers returns the review handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// ListReviewQueues lists the queues, marking those the caller may work.
func (h *Handlers) ListReviewQueues(ctx context.Context, _ api.ListReviewQueuesRequestObject) (api.ListReviewQueuesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	qs, err := h.svc.Queues(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	mine := h.svc.enforcer.Roles(p.UserID, p.TenantID)
	out := api.ListReviewQueues200JSONResponse{Queues: make([]api.ReviewQueue, len(qs))}
	for i, q := range qs {
		out.Queues[i] = toAPIQueue(q, mine)
	}
	return out, nil
}

// CreateReviewQueue adds a queue.
func (h *Handlers) CreateReviewQueue(ctx context.Context, req api.CreateReviewQueueRequestObject) (api.CreateReviewQueueResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q, err := h.svc.CreateQueue(ctx, p, fromAPIQueue(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateReviewQueue201JSONResponse(toAPIQueue(q, h.svc.enforcer.Roles(p.UserID, p.TenantID))), nil
}

// UpdateReviewQueue changes a queue.
func (h *Handlers) UpdateReviewQueue(ctx context.Context, req api.UpdateReviewQueueRequestObject) (api.UpdateReviewQueueResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q, err := h.svc.UpdateQueue(ctx, p, req.QueueId, fromAPIQueue(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.UpdateReviewQueue200JSONResponse(toAPIQueue(q, h.svc.enforcer.Roles(p.UserID, p.TenantID))), nil
}

// ListReasonCodes lists the rejection reasons.
func (h *Handlers) ListReasonCodes(ctx context.Context, _ api.ListReasonCodesRequestObject) (api.ListReasonCodesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := h.svc.ReasonCodes(ctx, p.TenantID)
	return api.ListReasonCodes200JSONResponse{ReasonCodes: toAPIReasons(rs)}, err
}

// SetReasonCodes replaces the rejection reasons.
func (h *Handlers) SetReasonCodes(ctx context.Context, req api.SetReasonCodesRequestObject) (api.SetReasonCodesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	in := make([]ReasonCode, len(req.Body.ReasonCodes))
	for i, r := range req.Body.ReasonCodes {
		in[i] = ReasonCode{Code: r.Code, Label: r.Label}
	}
	rs, err := h.svc.SetReasonCodes(ctx, p, in)
	return api.SetReasonCodes200JSONResponse{ReasonCodes: toAPIReasons(rs)}, err
}

// ListClaims lists the caller's held items.
func (h *Handlers) ListClaims(ctx context.Context, _ api.ListClaimsRequestObject) (api.ListClaimsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	items, err := h.svc.Held(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.ListClaims200JSONResponse{Items: toAPIItems(items, p.UserID)}, nil
}

// ClaimReviewItems leases the next items.
func (h *Handlers) ClaimReviewItems(ctx context.Context, req api.ClaimReviewItemsRequestObject) (api.ClaimReviewItemsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	var queue string
	var count int
	if b := req.Body; b != nil {
		queue, count = ptr.Deref(b.QueueId), valueOr(b.Count, 0)
		if b.Count != nil && *b.Count == 0 {
			return nil, problem.InvalidField("count", "must be between 1 and 20")
		}
	}
	items, lease, err := h.svc.Claim(ctx, p, queue, count)
	if err != nil {
		return nil, err
	}
	return api.ClaimReviewItems200JSONResponse{Items: toAPIItems(items, p.UserID), LeaseExpiresAt: lease}, nil
}

// ReleaseClaims gives held items back.
func (h *Handlers) ReleaseClaims(ctx context.Context, req api.ReleaseClaimsRequestObject) (api.ReleaseClaimsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	if req.Body != nil && req.Body.ItemIds != nil {
		ids = *req.Body.ItemIds
	}
	n, err := h.svc.Release(ctx, p, ids)
	return api.ReleaseClaims200JSONResponse{Released: n}, err
}

// GetReviewItem reads one item with the CRM's current value.
func (h *Handlers) GetReviewItem(ctx context.Context, req api.GetReviewItemRequestObject) (api.GetReviewItemResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.svc.Item(ctx, p, req.ItemId)
	if err != nil {
		return nil, err
	}
	return api.GetReviewItem200JSONResponse(toAPIItem(it, p.UserID)), nil
}

// DecideReviewItem records a decision.
func (h *Handlers) DecideReviewItem(ctx context.Context, req api.DecideReviewItemRequestObject) (api.DecideReviewItemResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	d, err := h.svc.Decide(ctx, p, req.ItemId, DecisionInput{Verdict: string(b.Verdict), Value: b.Value,
		HasValue: b.Value != nil, ReasonCode: ptr.Deref(b.ReasonCode), Comment: ptr.Deref(b.Comment)})
	if err != nil {
		return nil, err
	}
	return api.DecideReviewItem200JSONResponse(toAPIDecision(d)), nil
}

// UndoReviewDecision takes a decision back.
func (h *Handlers) UndoReviewDecision(ctx context.Context, req api.UndoReviewDecisionRequestObject) (api.UndoReviewDecisionResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.svc.Undo(ctx, p, req.ItemId)
	if err != nil {
		return nil, err
	}
	return api.UndoReviewDecision200JSONResponse(toAPIItem(it, p.UserID)), nil
}

// BulkReview previews or decides items like one.
func (h *Handlers) BulkReview(ctx context.Context, req api.BulkReviewRequestObject) (api.BulkReviewResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := BulkInput{ItemID: b.ItemId, ReasonCode: ptr.Deref(b.ReasonCode), Comment: ptr.Deref(b.Comment), Preview: valueOr(b.Preview, false)}
	for _, s := range b.Same {
		in.Same = append(in.Same, string(s))
	}
	if b.Verdict != nil {
		in.Verdict = string(*b.Verdict)
	}
	res, err := h.svc.Bulk(ctx, p, in)
	if err != nil {
		return nil, err
	}
	return api.BulkReview200JSONResponse(toAPIBulk(res)), nil
}

// GetReviewMetrics reports queue and reviewer numbers.
func (h *Handlers) GetReviewMetrics(ctx context.Context, _ api.GetReviewMetricsRequestObject) (api.GetReviewMetricsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	st, err := h.svc.Metrics(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	return api.GetReviewMetrics200JSONResponse(toAPIMetrics(st)), nil
}

// GetRecordTimeline lists what happened to a record.
func (h *Handlers) GetRecordTimeline(ctx context.Context, req api.GetRecordTimelineRequestObject) (api.GetRecordTimelineResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	es, err := h.svc.Timeline(ctx, p.TenantID, req.Object, req.RecordId)
	if err != nil {
		return nil, err
	}
	out := api.GetRecordTimeline200JSONResponse{Entries: make([]api.TimelineEntry, len(es))}
	for i, e := range es {
		out.Entries[i] = api.TimelineEntry{At: e.At, Kind: api.TimelineEntryKind(e.Kind), ProposalId: e.ProposalID, Field: e.Field,
			Actor: e.Actor, Text: e.Text, Detail: orEmpty(e.Detail)}
	}
	return out, nil
}

func toAPIQueue(q Queue, roles []string) api.ReviewQueue {
	out := api.ReviewQueue{Id: q.ID, Name: q.Name, Position: q.Position, AcceptsNew: q.AcceptsNew, EscalateTo: q.EscalateTo,
		ExpireAfterDoubleSla: q.ExpireAfterDoubleSLA, AllowedRoles: make([]api.Role, len(q.AllowedRoles)),
		SlaMinutes: api.SLAMinutes{Critical: q.SLA("critical"), High: q.SLA("high"), Medium: q.SLA("medium"), Low: q.SLA("low")},
		Match: api.ReviewMatch{Objects: list(q.Match.Objects), Fields: list(q.Match.Fields), Tags: list(q.Match.Tags),
			Agents: list(q.Match.Agents)}}
	for i, r := range q.AllowedRoles {
		out.AllowedRoles[i] = api.Role(r)
		out.MayWork = out.MayWork || slices.Contains(roles, r)
	}
	if len(q.Match.Sensitivities) > 0 {
		s := make([]api.ReviewMatchSensitivities, len(q.Match.Sensitivities))
		for i, v := range q.Match.Sensitivities {
			s[i] = api.ReviewMatchSensitivities(v)
		}
		out.Match.Sensitivities = &s
	}
	if len(q.Match.Routes) > 0 {
		r := make([]api.ReviewMatchRoutes, len(q.Match.Routes))
		for i, v := range q.Match.Routes {
			r[i] = api.ReviewMatchRoutes(v)
		}
		out.Match.Routes = &r
	}
	return out
}

func fromAPIQueue(b api.ReviewQueueInput) QueueInput {
	in := QueueInput{Name: b.Name, Position: b.Position, AllowedRoles: b.AllowedRoles, AcceptsNew: b.AcceptsNew, SLAMinutes: b.SlaMinutes,
		EscalateTo: b.EscalateTo, ExpireAfterDoubleSLA: b.ExpireAfterDoubleSla}
	if m := b.Match; m != nil {
		in.Match = &Match{Objects: unlist(m.Objects), Fields: unlist(m.Fields), Tags: unlist(m.Tags), Agents: unlist(m.Agents)}
		if m.Sensitivities != nil {
			for _, v := range *m.Sensitivities {
				in.Match.Sensitivities = append(in.Match.Sensitivities, string(v))
			}
		}
		if m.Routes != nil {
			for _, v := range *m.Routes {
				in.Match.Routes = append(in.Match.Routes, string(v))
			}
		}
	}
	return in
}

func toAPIReasons(rs []ReasonCode) []api.ReasonCode {
	out := make([]api.ReasonCode, len(rs))
	for i, r := range rs {
		out[i] = api.ReasonCode{Code: r.Code, Label: r.Label, Archived: r.Archived}
	}
	return out
}

func toAPIItems(items []Item, me string) []api.ReviewItem {
	out := make([]api.ReviewItem, len(items))
	for i, it := range items {
		out[i] = toAPIItem(it, me)
	}
	return out
}

func toAPIItem(it Item, me string) api.ReviewItem {
	mine := it.ClaimedBy != nil && *it.ClaimedBy == me
	out := api.ReviewItem{Id: it.ID, ProposalId: it.ProposalID, QueueId: it.QueueID, QueueName: it.QueueName, AgentId: it.AgentID,
		AgentName: it.AgentName, Object: it.Object, RecordId: it.RecordID, Field: it.Field, FieldLabel: optional(it.FieldLabel),
		FieldType: optional(it.FieldType), Operation: it.Operation, ExpectedOld: it.ExpectedOld, Proposed: it.Proposed,
		Current: it.Current, CurrentError: optional(it.CurrentErr), Stale: it.Stale, Confidence: it.Confidence, Rationale: it.Rationale,
		Reasons: it.Reasons, Route: it.Route, Sensitivity: it.Sensitivity, ApprovalsRequired: it.ApprovalsRequired,
		Approvals: len(it.ApprovedBy), State: api.ReviewItemState(it.State), CreatedAt: it.CreatedAt, DueAt: it.DueAt,
		ClaimedByMe: &mine, EscalatedAt: it.EscalatedAt, RecordUrl: optional(it.RecordURL),
		Evidence: make([]api.ProposalEvidence, len(it.Evidence)), Flags: make([]api.ProposalFlag, len(it.Flags)),
		Why: make([]api.PriorityFactor, len(it.Why))}
	if mine {
		out.LeaseExpiresAt = it.LeaseExpiresAt
	}
	if it.FieldOptions != nil {
		out.FieldOptions = &it.FieldOptions
	}
	if it.SLAState != "" {
		st := api.ReviewItemSlaState(it.SLAState)
		out.SlaState = &st
	}
	for i, e := range it.Evidence {
		out.Evidence[i] = api.ProposalEvidence{Url: e.URL, Title: optional(e.Title), Excerpt: optional(e.Excerpt)}
	}
	for i, f := range it.Flags {
		out.Flags[i] = api.ProposalFlag{Code: f.Code, Message: f.Message}
	}
	for i, f := range it.Why {
		out.Why[i] = api.PriorityFactor{Factor: f.Factor, Minutes: f.Minutes, Text: f.Text}
	}
	if it.LastDecision != nil {
		d := toAPIDecision(*it.LastDecision)
		out.LastDecision = &d
	}
	return out
}

func toAPIDecision(d Decision) api.ReviewDecision {
	return api.ReviewDecision{ItemId: d.ItemID, ProposalId: d.ProposalID, Verdict: d.Verdict, Outcome: cmpOrString(d.Outcome, d.Verdict),
		Value: d.Value, ReasonCode: optional(d.ReasonCode), Comment: optional(d.Comment), DecidedBy: optional(d.UserName), At: d.At,
		UndoUntil: d.UndoUntil}
}

func toAPIBulk(r BulkResult) api.BulkReviewResult {
	out := api.BulkReviewResult{Matched: r.Matched, Decided: r.Decided, Skipped: make([]api.BulkSkip, len(r.Skipped))}
	for i, s := range r.Skipped {
		out.Skipped[i] = api.BulkSkip{ItemId: s.ItemID, Code: s.Code, Detail: s.Detail}
	}
	return out
}

func toAPIMetrics(st Stats) api.ReviewMetrics {
	out := api.ReviewMetrics{DecisionsPerHour: st.DecisionsPerHour, Queues: make([]api.QueueStats, len(st.Queues)),
		Reviewers: make([]api.ReviewerStats, len(st.Reviewers))}
	for i, q := range st.Queues {
		out.Queues[i] = api.QueueStats{QueueId: q.QueueID, QueueName: q.QueueName, OnTrack: q.OnTrack, AtRisk: q.AtRisk,
			Breached: q.Breached, Decisions24h: q.DecisionsLast24h, MedianDecisionSeconds: q.MedianDecisionSeconds,
			SlaCompliance: q.SLACompliance}
	}
	for i, r := range st.Reviewers {
		out.Reviewers[i] = api.ReviewerStats{UserId: r.UserID, Name: r.Name, Decisions: r.Decisions,
			MedianDecisionSeconds: r.MedianDecisionSeconds, SlaCompliance: r.SLACompliance}
	}
	return out
}

func list(s []string) *[]string {
	if len(s) == 0 {
		return nil
	}
	return &s
}

func unlist(s *[]string) []string {
	if s == nil {
		return nil
	}
	return *s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

package apply

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
)

// Handlers serve the console's apply routes.
type Handlers struct{ svc *Service }

// NewHandlers returns the apply handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// RetryApply takes a failed write for another attempt.
func (h *Handlers) RetryApply(ctx context.Context, req api.RetryApplyRequestObject) (api.RetryApplyResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.Retry(ctx, p, req.ProposalId); err != nil {
		return nil, err
	}
	return api.RetryApply202Response{}, nil
}

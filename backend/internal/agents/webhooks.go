package agents

import "context"

// WebhookTarget is an agent whose outcomes are posted to its webhook, and
// the last feedback seq delivered there.
type WebhookTarget struct {
	ID, TenantID, Name, WebhookURL, WebhookSecret string
	WebhookCursor                                 int64
}

// WebhookTargets lists the tenant's agents that have a webhook.
func (s *Service) WebhookTargets(ctx context.Context, tenantID string) ([]WebhookTarget, error) {
	return s.store.WebhookTargets(ctx, tenantID)
}

// WebhookFailed records why the last delivery to the agent's webhook failed
// (shown on its page); the cursor stays, so the next run tries again.
func (s *Service) WebhookFailed(ctx context.Context, tenantID, agentID, failure string) error {
	return s.store.SetWebhookError(ctx, tenantID, agentID, failure)
}

// WebhookDelivered moves the agent's cursor from from to to and clears its
// error; a cursor another run moved already stays where that run put it.
func (s *Service) WebhookDelivered(ctx context.Context, tenantID, agentID string, from, to int64) error {
	return s.store.AdvanceWebhook(ctx, tenantID, agentID, from, to)
}

// WebhookTargets reads the tenant's agents that have a webhook.
func (s *Store) WebhookTargets(ctx context.Context, tenantID string) ([]WebhookTarget, error) {
	var out []WebhookTarget
	err := s.db.Conn(ctx).Raw(`SELECT id, tenant_id, name, webhook_url, webhook_secret, webhook_cursor FROM agents
		WHERE tenant_id = ? AND webhook_url <> '' ORDER BY id`, tenantID).Scan(&out).Error
	return out, err
}

// SetWebhookError stores the last delivery failure.
func (s *Store) SetWebhookError(ctx context.Context, tenantID, agentID, failure string) error {
	return s.db.Conn(ctx).Exec(`UPDATE agents SET webhook_error = ? WHERE tenant_id = ? AND id = ?`, failure, tenantID, agentID).Error
}

// AdvanceWebhook moves the cursor if it is still at from, and clears the error.
func (s *Store) AdvanceWebhook(ctx context.Context, tenantID, agentID string, from, to int64) error {
	return s.db.Conn(ctx).Exec(`UPDATE agents SET webhook_cursor = ?, webhook_error = '' WHERE tenant_id = ? AND id = ? AND webhook_cursor = ?`,
		to, tenantID, agentID, from).Error
}

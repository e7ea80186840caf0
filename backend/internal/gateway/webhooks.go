package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/webhooks"
)

// WebhookArgs is the periodic job that delivers feedback to agents' webhooks.
type WebhookArgs struct{}

// Kind names the job.
func (WebhookArgs) Kind() string { return "gateway.webhooks" }

// RegisterJobs adds the gateway's background work to the queue.
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	s.jobs = j
	jobs.EveryTenant[WebhookArgs](j, 10*time.Second, func(ctx context.Context, _ string) error { return s.DeliverWebhooks(ctx) })
}

type hookTarget struct {
	ID, TenantID, Name, WebhookURL, WebhookSecret string
	WebhookCursor                                 int64
}

// DeliverWebhooks posts each agent of ctx's tenant its new feedback events to its webhook, in
// order, at most 100 per agent per run. A failed delivery is retried on the
// next run (the cursor only moves on 2xx) and shown on the agent's page.
func (s *Service) DeliverWebhooks(ctx context.Context) error {
	var targets []hookTarget
	if err := s.db.Conn(ctx).Raw(`SELECT id, tenant_id, name, webhook_url, webhook_secret, webhook_cursor FROM agents
		WHERE webhook_url <> '' AND EXISTS (SELECT 1 FROM agent_feedback f WHERE f.tenant_id = agents.tenant_id
		  AND f.agent_id = agents.id AND f.seq > agents.webhook_cursor)`).Scan(&targets).Error; err != nil {
		return err
	}
	for _, t := range targets {
		if err := s.deliver(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) deliver(ctx context.Context, t hookTarget) error {
	evs, next, err := s.feedbackAfter(ctx, t.TenantID, t.ID, t.WebhookCursor, 100)
	if err != nil || len(evs) == 0 {
		return err
	}
	body, _ := json.Marshal(map[string]any{"agent_id": t.ID, "agent": t.Name, "events": toAPIFeedback(evs), "next": next,
		"text": slackText(t.Name, evs)})
	failure := webhooks.Post(ctx, s.HTTP, t.WebhookURL, t.WebhookSecret, body)
	if failure != "" {
		return s.db.Conn(ctx).Exec(`UPDATE agents SET webhook_error = ? WHERE tenant_id = ? AND id = ?`, failure, t.TenantID, t.ID).Error
	}
	return s.db.Conn(ctx).Exec(`UPDATE agents SET webhook_cursor = ?, webhook_error = '' WHERE tenant_id = ? AND id = ? AND webhook_cursor = ?`,
		next, t.TenantID, t.ID, t.WebhookCursor).Error
}

// slackText makes deliveries readable when the URL is a Slack-compatible incoming webhook.
func slackText(agent string, evs []FeedbackEvent) string {
	counts := map[string]int{}
	for _, e := range evs {
		counts[e.Outcome]++
	}
	var parts []string
	for k, v := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", v, k))
	}
	sort.Strings(parts)
	return fmt.Sprintf("Countersign: %d new outcomes for agent %s (%s)", len(evs), agent, strings.Join(parts, ", "))
}

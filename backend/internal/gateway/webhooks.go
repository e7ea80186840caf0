package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/db"
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

// DeliverWebhooks posts each agent of ctx's tenant its new feedback events
// to its webhook, in order, at most 100 per agent per run. A failed delivery
// is retried on the next run (the cursor only moves on 2xx) and shown on the
// agent's page.
func (s *Service) DeliverWebhooks(ctx context.Context) error {
	tenantID := db.TenantFrom(ctx)
	if tenantID == "" {
		return db.ErrNoTenant
	}
	targets, err := s.agents.WebhookTargets(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := s.deliver(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) deliver(ctx context.Context, t agents.WebhookTarget) error {
	evs, next, err := s.feedbackAfter(ctx, t.TenantID, t.ID, t.WebhookCursor, 100)
	if err != nil || len(evs) == 0 {
		return err
	}
	body, err := json.Marshal(map[string]any{"agent_id": t.ID, "agent": t.Name, "events": toAPIFeedback(evs), "next": next,
		"text": slackText(t.Name, evs)})
	if err != nil {
		return err
	}
	if failure := webhooks.Post(ctx, s.HTTP, t.WebhookURL, t.WebhookSecret, body); failure != "" {
		return s.agents.WebhookFailed(ctx, t.TenantID, t.ID, failure)
	}
	return s.agents.WebhookDelivered(ctx, t.TenantID, t.ID, t.WebhookCursor, next)
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

package gateway

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"countersign/backend/internal/platform/egress"
	"countersign/backend/internal/platform/jobs"
)

// WebhookArgs is the periodic job that delivers feedback to agents' webhooks.
type WebhookArgs struct{}

// Kind names the job.
func (WebhookArgs) Kind() string { return "gateway.webhooks" }

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	svc *Service
}

func (w *webhookWorker) Work(ctx context.Context, _ *river.Job[WebhookArgs]) error {
	return w.svc.db.ForEachTenant(ctx, func(ctx context.Context, _ string) error { return w.svc.DeliverWebhooks(ctx) })
}

// RegisterJobs adds the gateway's background work to the queue.
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	s.jobs = j
	jobs.Register(j, &webhookWorker{svc: s})
	jobs.Register(j, &alertWorker{svc: s})
	j.Every(10*time.Second, func() river.JobArgs { return WebhookArgs{} })
}

// AlertArgs posts one alert to the alert webhook.
type AlertArgs struct {
	Title string `json:"title"`
	Alert string `json:"kind"`
}

// Kind names the job.
func (AlertArgs) Kind() string { return "gateway.alert" }

type alertWorker struct {
	river.WorkerDefaults[AlertArgs]
	svc *Service
}

// Work posts the alert; River retries a failed post with backoff.
func (w *alertWorker) Work(ctx context.Context, job *river.Job[AlertArgs]) error {
	if w.svc.AlertURL == "" {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"text": "Countersign alert: " + job.Args.Title, "kind": job.Args.Alert})
	if failure := post(ctx, w.svc.HTTP, w.svc.AlertURL, "", body); failure != "" {
		return fmt.Errorf("alert webhook: %s", failure)
	}
	return nil
}

// SignatureHeader carries the HMAC of a delivery's body.
const SignatureHeader = "X-Countersign-Signature"

// Sign is how deliveries are signed: "sha256=" + hex(HMAC-SHA256(secret, body)).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
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
	failure := post(ctx, s.HTTP, t.WebhookURL, t.WebhookSecret, body)
	if failure != "" {
		return s.db.Conn(ctx).Exec(`UPDATE agents SET webhook_error = ? WHERE tenant_id = ? AND id = ?`, failure, t.TenantID, t.ID).Error
	}
	return s.db.Conn(ctx).Exec(`UPDATE agents SET webhook_cursor = ?, webhook_error = '' WHERE tenant_id = ? AND id = ? AND webhook_cursor = ?`,
		next, t.TenantID, t.ID, t.WebhookCursor).Error
}

// post returns "" on a 2xx, else why it failed.
func post(ctx context.Context, client *http.Client, url, secret string, body []byte) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "bad webhook URL"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Countersign-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(secret, body))
	res, err := client.Do(req)
	var np *egress.ErrNotPublic
	if errors.As(err, &np) {
		return np.Error()
	} else if err != nil {
		return fmt.Sprintf("%s: could not deliver (%T)", time.Now().UTC().Format(time.RFC3339), err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Sprintf("%s: the webhook answered %d", time.Now().UTC().Format(time.RFC3339), res.StatusCode)
	}
	return ""
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

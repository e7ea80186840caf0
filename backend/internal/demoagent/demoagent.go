// Package demoagent is a pretend AI agent that drives the public agent API
// the way a real one would: it reads records through Countersign and proposes
// a realistic mix of changes — confident enrichments, deal-stage moves read
// from "activity signals" (some plainly wrong), close-date shifts, UTM
// overwrites (blocked), job-title rewrites and email-domain changes (flagged)
// and low-confidence guesses. It exists so the console is alive in a demo.
package demoagent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Agent talks to one Countersign over HTTP with one key.
type Agent struct {
	BaseURL string
	Key     string
	HTTP    *http.Client
	Log     *slog.Logger
	rnd     *rand.Rand
	records map[string][]record
	run     string
	// WorkingSet is how many records of each object the steady mode works
	// on: an agent revisits the records of its current task rather than
	// touching new ones every minute, so the distinct records it targets in an
	// hour (3 objects × WorkingSet) stay well under the default velocity cap
	// of 50 and the breaker stays closed. Burst ignores it.
	WorkingSet int
}

type record struct {
	ID     string         `json:"id"`
	Values map[string]any `json:"values"`
}

// New returns an agent; seed makes its choices repeatable.
func New(baseURL, key string, seed uint64, log *slog.Logger) *Agent {
	return &Agent{BaseURL: strings.TrimRight(baseURL, "/"), Key: key, HTTP: &http.Client{Timeout: 30 * time.Second}, Log: log,
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), records: map[string][]record{}, WorkingSet: 8}
}

// Load reads pages of records to work on, through the read-through API.
func (a *Agent) Load(ctx context.Context) error {
	for _, object := range []string{"contacts", "companies", "deals"} {
		var page struct {
			Records []record `json:"records"`
		}
		if err := a.call(ctx, "GET", "/records/"+object+"?limit=100", nil, &page); err != nil {
			return fmt.Errorf("reading %s: %w", object, err)
		}
		a.records[object] = page.Records
	}
	return nil
}

// Tick proposes one small, realistic batch and logs the routes it got.
func (a *Agent) Tick(ctx context.Context, size int) error {
	a.run = fmt.Sprintf("demo-%d", time.Now().Unix())
	items := make([]map[string]any, 0, size)
	for len(items) < size {
		if it := a.next(); it != nil {
			items = append(items, it)
		}
	}
	return a.submit(ctx, items)
}

// Burst targets many distinct records at once, to trip the velocity breaker.
func (a *Agent) Burst(ctx context.Context, n int) error {
	var items []map[string]any
	for i := 0; i < n && i < len(a.records["companies"]); i++ {
		c := a.records["companies"][i]
		items = append(items, a.item("companies", c, "numberofemployees", c.Values["numberofemployees"], float64(50+a.rnd.IntN(5000)), 0.97,
			"Headcount from the company's careers page."))
	}
	return a.submit(ctx, items)
}

func (a *Agent) submit(ctx context.Context, items []map[string]any) error {
	var out struct {
		Results []struct {
			Route, Status string
			Error         *struct{ Field, Message string }
		} `json:"results"`
	}
	if err := a.call(ctx, "POST", "/proposals", map[string]any{"proposals": items}, &out); err != nil {
		return err
	}
	counts := map[string]int{}
	var errs []string
	for _, r := range out.Results {
		if r.Error != nil {
			counts["error"]++
			errs = append(errs, r.Error.Field+": "+r.Error.Message)
			continue
		}
		counts[r.Status]++
	}
	a.Log.Info("demo agent proposed", "items", len(items), "outcomes", counts, "errors", errs)
	return nil
}

func (a *Agent) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.BaseURL+"/api/agent/v1"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	res, err := a.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, strings.TrimSpace(string(b)))
	}
	return json.Unmarshal(b, out)
}

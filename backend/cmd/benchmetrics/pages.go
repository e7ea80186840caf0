package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// page is one of the pages measured: the URLs it is asked with (taken in
// turn) and what it took.
type page struct {
	name  string
	urls  []string
	note  string // what the first answer held
	took  []time.Duration
	check func(body []byte) (string, error)
}

type measured struct {
	pages []*page
	all   []time.Duration
}

// measure signs in as the demo admin and asks each page requests times,
// one request at a time, the pages in turn, after a warm-up round (a
// running server's connections have their statements prepared).
func measure(ctx context.Context, base string, w *world, requests int) (measured, error) {
	hc := &http.Client{Timeout: time.Minute}
	cookie, err := signIn(ctx, hc, base, "admin@acme.test")
	if err != nil {
		return measured{}, err
	}
	fieldName := func(i int) string { return w.fields[i].Object + "." + w.fields[i].Name }
	pair := func(path string, a, f int) string {
		q := url.Values{}
		if a >= 0 {
			q.Set("agent", w.agents[a])
		}
		if f >= 0 {
			q.Set("field", fieldName(f))
		}
		return path + "?" + q.Encode()
	}
	// agent × field: the rollouts' (canary, control, shadow arms), and others (review only)
	corrections := []string{pair("/api/v1/insights/corrections", 0, 0), pair("/api/v1/insights/corrections", 1, 3),
		pair("/api/v1/insights/corrections", 3, 6), pair("/api/v1/insights/corrections", 10, 0), pair("/api/v1/insights/corrections", 15, 9),
		pair("/api/v1/insights/corrections", 5, -1), pair("/api/v1/insights/corrections", -1, 4)}
	calibration := []string{pair("/api/v1/insights/calibration", 0, 1), pair("/api/v1/insights/calibration", 2, 4),
		pair("/api/v1/insights/calibration", 12, 7), pair("/api/v1/insights/calibration", 19, 9)}
	pages := []*page{
		{name: "overview days=30", urls: []string{"/api/v1/insights/overview?days=30"}, check: overviewNote},
		{name: "overview days=90", urls: []string{"/api/v1/insights/overview?days=90"}, check: overviewNote},
		{name: "corrections", urls: corrections, check: correctionsNote},
		{name: "rollouts", urls: []string{"/api/v1/rollouts"}, check: rolloutsNote},
		{name: "calibration", urls: calibration, check: calibrationNote},
	}
	get := func(p *page, i int) (time.Duration, []byte, error) {
		u := base + p.urls[i%len(p.urls)]
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Accept", "application/json")
		start := time.Now()
		res, err := hc.Do(req)
		if err != nil {
			return 0, nil, err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		took := time.Since(start)
		if err != nil {
			return 0, nil, err
		}
		if res.StatusCode != http.StatusOK {
			return 0, nil, fmt.Errorf("GET %s: %d %s", p.urls[i%len(p.urls)], res.StatusCode, body)
		}
		return took, body, nil
	}
	for _, p := range pages {
		for i := range max(len(p.urls), 3) {
			_, body, err := get(p, i)
			if err != nil {
				return measured{}, err
			}
			if i == 0 {
				if p.note, err = p.check(body); err != nil {
					return measured{}, fmt.Errorf("%s: %w", p.name, err)
				}
			}
		}
	}
	var out measured
	for i := range requests {
		for _, p := range pages {
			took, _, err := get(p, i)
			if err != nil {
				return out, err
			}
			p.took = append(p.took, took)
			out.all = append(out.all, took)
		}
	}
	out.pages = pages
	return out, nil
}

func signIn(ctx context.Context, hc *http.Client, base, email string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": "countersign-demo"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sign in as %s: %d %s", email, res.StatusCode, b)
	}
	for _, sc := range res.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(sc, "countersign_session="); ok {
			return "countersign_session=" + strings.SplitN(v, ";", 2)[0], nil
		}
	}
	return "", fmt.Errorf("sign in as %s: no session cookie", email)
}

type armJSON struct {
	Arm                string
	Applied, Corrected int
}

func overviewNote(body []byte) (string, error) {
	var o struct {
		Rows         []struct{ Arms []armJSON }
		TimeToUpdate struct{ Applied int } `json:"time_to_update"`
		Sla          struct{ Decided int }
		QueueDepth   []struct{} `json:"queue_depth"`
	}
	if err := json.Unmarshal(body, &o); err != nil {
		return "", err
	}
	if len(o.Rows) == 0 {
		return "", fmt.Errorf("no rows: %.300s", body)
	}
	decided := 0
	for _, r := range o.Rows {
		for _, a := range r.Arms {
			decided += a.Applied
		}
	}
	return fmt.Sprintf("(%d agent × field rows over %d outcomes, %d applied, %d SLA decisions, %d queue depth points)",
		len(o.Rows), decided, o.TimeToUpdate.Applied, o.Sla.Decided, len(o.QueueDepth)), nil
}

func correctionsNote(body []byte) (string, error) {
	var o struct{ Arms []armJSON }
	if err := json.Unmarshal(body, &o); err != nil {
		return "", err
	}
	if len(o.Arms) == 0 {
		return "", fmt.Errorf("no arms: %.300s", body)
	}
	return "(first: " + arms(o.Arms) + ")", nil
}

func rolloutsNote(body []byte) (string, error) {
	var o struct {
		Items []struct {
			Stage string
			Arms  []armJSON
		}
	}
	if err := json.Unmarshal(body, &o); err != nil {
		return "", err
	}
	if len(o.Items) == 0 || len(o.Items[0].Arms) == 0 {
		return "", fmt.Errorf("no rollouts with arms: %.300s", body)
	}
	return fmt.Sprintf("(%d rollouts; first: %s)", len(o.Items), arms(o.Items[0].Arms)), nil
}

func calibrationNote(body []byte) (string, error) {
	var o struct{ Text string }
	if err := json.Unmarshal(body, &o); err != nil {
		return "", err
	}
	return "(first: " + o.Text + ")", nil
}

func arms(as []armJSON) string {
	var b strings.Builder
	for i, a := range as {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d/%d corrected", a.Arm, a.Corrected, a.Applied)
	}
	return b.String()
}

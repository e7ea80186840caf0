package salesforce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"sync"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
)

// session is the current access token. gen counts refreshes so concurrent
// requests that all saw the same expired token refresh it only once.
type session struct {
	mu       sync.Mutex
	refresh  sync.Mutex
	token    string
	instance string
	userID   string // the integration user: its changes are ours
	gen      int
}

func (s *session) accessToken() string { s.mu.Lock(); defer s.mu.Unlock(); return s.token }

func (s *session) current() (instance string, gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.instance, s.gen
}

func (s *session) integrationUser() string { s.mu.Lock(); defer s.mu.Unlock(); return s.userID }

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"` // https://login.salesforce.com/id/{orgId}/{userId}
}

// refresh trades the refresh token for a new access token, unless another
// request already did since generation gen. A refused refresh is final:
// KindAuthExpired, someone must reconnect.
func (c *Connector) refresh(ctx context.Context, gen int) error {
	c.sess.refresh.Lock()
	defer c.sess.refresh.Unlock()
	if _, now := c.sess.current(); now != gen {
		return nil
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.creds.refreshToken}, "client_id": {c.creds.clientID}}
	if c.creds.clientSecret != "" {
		form.Set("client_secret", c.creds.clientSecret)
	}
	req := httpx.Request{Method: http.MethodPost, URL: c.creds.loginURL + "/services/oauth2/token", Body: []byte(form.Encode()),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}}
	resp, err := c.login.Do(ctx, req)
	if err != nil {
		return err
	}
	var tok tokenResponse
	if json.Unmarshal(resp.Body, &tok) != nil || tok.AccessToken == "" || tok.InstanceURL == "" {
		return c.login.Unexpected(resp.Status, "the token response has no access token")
	}
	c.sess.mu.Lock()
	defer c.sess.mu.Unlock()
	c.sess.token, c.sess.instance, c.sess.gen = tok.AccessToken, tok.InstanceURL, c.sess.gen+1
	if tok.ID != "" {
		c.sess.userID = path.Base(tok.ID)
	}
	return nil
}

// classifyLogin maps token endpoint failures: any refusal (invalid_grant,
// invalid_client) means the stored credentials no longer work.
func classifyLogin(r *httpx.Response) httpx.Verdict {
	v := httpx.DefaultVerdict(crm.Salesforce, r)
	if r.Status >= 500 || r.Status == http.StatusTooManyRequests {
		return v
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	v.Err.Kind, v.Err.Message = crm.KindAuthExpired, "Salesforce refused the refresh token"
	if json.Unmarshal(r.Body, &body) == nil && body.Error != "" {
		v.Err.Message = httpx.Clip(body.Error + ": " + body.Description)
	}
	return v
}

// do sends a request to the instance, getting a session first if there is
// none, and refreshing it once if Salesforce says it expired.
func (c *Connector) do(ctx context.Context, req httpx.Request) (*httpx.Response, error) {
	instance, gen := c.sess.current()
	if instance == "" {
		if err := c.refresh(ctx, gen); err != nil {
			return nil, err
		}
		instance, gen = c.sess.current()
	}
	rel := req.URL
	req.URL = instance + rel
	resp, err := c.http.Do(ctx, req)
	if e, ok := crm.AsError(err); !ok || e.Kind != crm.KindAuthExpired || e.Status != http.StatusUnauthorized {
		return resp, err
	}
	if err := c.refresh(ctx, gen); err != nil {
		return nil, err
	}
	instance, _ = c.sess.current()
	req.URL = instance + rel
	return c.http.Do(ctx, req)
}

// call sends in as JSON to a path of the instance and decodes the reply.
func (c *Connector) call(ctx context.Context, method, path string, header http.Header, in, out any) error {
	req := httpx.Request{Method: method, URL: path, Header: http.Header{"Accept": {"application/json"}}}
	for k, v := range header {
		req.Header[k] = v
	}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &crm.Error{Kind: crm.KindValidation, Provider: crm.Salesforce, Message: "cannot encode request"}
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.do(ctx, req)
	if err != nil || out == nil {
		return err
	}
	if json.Unmarshal(resp.Body, out) != nil {
		return c.http.Unexpected(resp.Status, "unreadable response")
	}
	return nil
}

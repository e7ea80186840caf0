package salesforce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"countersign/backend/internal/crm"
)

// name matches API names (Account, Foo__c, Owner.Name). Everything spliced
// into SOQL is either checked against it or quoted, so callers' strings
// cannot change a query.
var name = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$`)

func checkNames(names ...string) error {
	for _, n := range names {
		if !name.MatchString(n) {
			return &crm.Error{Kind: crm.KindValidation, Provider: crm.Salesforce, Field: n, Message: "not a Salesforce API name"}
		}
	}
	return nil
}

// quote renders a SOQL string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quote(v)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// queryPage is a page of SOQL results; records stay raw for the caller.
type queryPage struct {
	Done           bool                         `json:"done"`
	NextRecordsURL string                       `json:"nextRecordsUrl"`
	Records        []map[string]json.RawMessage `json:"records"`
}

// queryFirst runs SOQL and returns its first page; batch > 0 asks for that
// page size (Salesforce takes 200 to 2,000).
func (c *Connector) queryFirst(ctx context.Context, soql string, batch int) (queryPage, error) {
	var h http.Header
	if batch > 0 {
		h = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(min(max(batch, 200), 2000))}}
	}
	var p queryPage
	err := c.call(ctx, http.MethodGet, dataPath+"/query?q="+url.QueryEscape(soql), h, nil, &p)
	return p, err
}

// queryNext follows a nextRecordsUrl; only paths of this API are followed.
func (c *Connector) queryNext(ctx context.Context, next string) (queryPage, error) {
	if !strings.HasPrefix(next, "/services/data/") || strings.Contains(next, "..") || strings.Contains(next, "://") {
		return queryPage{}, &crm.Error{Kind: crm.KindValidation, Provider: crm.Salesforce, Message: "not a Salesforce query cursor"}
	}
	var p queryPage
	err := c.call(ctx, http.MethodGet, next, nil, nil, &p)
	return p, err
}

// queryAll runs SOQL and follows every page.
func (c *Connector) queryAll(ctx context.Context, soql string) ([]map[string]json.RawMessage, error) {
	p, err := c.queryFirst(ctx, soql, 0)
	if err != nil {
		return nil, err
	}
	recs := p.Records
	for !p.Done && p.NextRecordsURL != "" {
		if p, err = c.queryNext(ctx, p.NextRecordsURL); err != nil {
			return nil, err
		}
		recs = append(recs, p.Records...)
	}
	return recs, nil
}

// str reads a string column; null and absent are "".
func str(rec map[string]json.RawMessage, col string) string {
	var s string
	_ = json.Unmarshal(rec[col], &s)
	return s
}

// value reads a column as a JSON scalar, following dots into related
// records (Owner.Name).
func value(rec map[string]json.RawMessage, col string) any {
	head, rest, nested := strings.Cut(col, ".")
	raw, ok := rec[head]
	if !ok {
		return nil
	}
	if nested {
		var sub map[string]json.RawMessage
		if json.Unmarshal(raw, &sub) != nil {
			return nil
		}
		return value(sub, rest)
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

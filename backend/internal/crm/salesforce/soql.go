package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

// str reads a string column; null and absent (a column the query did not
// select) are "". Any other JSON is not the documented shape.
func str(rec map[string]json.RawMessage, col string) (string, error) {
	raw := rec[col]
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("column %s is %s, not a string", col, raw)
	}
	return s, nil
}

// value reads a column as a JSON value, following dots into related records
// (Owner.Name). An absent column, and a related record that is null (a deal
// without an owner), are nil; a relation that is not an object is refused.
func value(rec map[string]json.RawMessage, col string) (any, error) {
	head, rest, nested := strings.Cut(col, ".")
	raw := rec[head]
	if isNull(raw) {
		return nil, nil
	}
	if nested {
		var sub map[string]json.RawMessage
		if err := json.Unmarshal(raw, &sub); err != nil {
			return nil, fmt.Errorf("column %s is %s, not a related record", head, raw)
		}
		return value(sub, rest)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("column %s: %w", col, err)
	}
	return v, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

package servertest

import (
	"encoding/json"
)

// FieldRef is a CRM field and its policy as the fields list shows it.
type FieldRef struct {
	ID, Object, Name string
	Policy           struct {
		Sensitivity, Mode, Reason string
		Decided                   bool
		Tags                      []string
	}
}

// Fields lists the fields matching query and says how many match in all.
func (c *Client) Fields(query string) ([]FieldRef, int) {
	c.e.T.Helper()
	res := c.Do("GET", "/api/v1/fields?"+query, nil)
	var out struct {
		Fields []FieldRef
		Total  int
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 {
		c.e.T.Fatalf("fields?%s: %d %s", query, res.Status, res.Body)
	}
	return out.Fields, out.Total
}

package pipedrivetest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"time"
)

// Field is a v1 field definition.
type Field struct {
	ID              int      `json:"id"`
	Key             string   `json:"key"`
	Name            string   `json:"name"`
	OrderNr         int      `json:"order_nr"`
	FieldType       string   `json:"field_type"`
	ActiveFlag      bool     `json:"active_flag"`
	EditFlag        bool     `json:"edit_flag"`
	BulkEditAllowed bool     `json:"bulk_edit_allowed"`
	MandatoryFlag   bool     `json:"mandatory_flag"`
	Options         []Option `json:"options"`
}

// Option is one value of an enum or set field.
type Option struct {
	ID    any    `json:"id"`
	Label string `json:"label"`
}

// Change is one v1 changelog entry.
type Change struct {
	FieldKey         string `json:"field_key"`
	OldValue         any    `json:"old_value"`
	NewValue         any    `json:"new_value"`
	ActorUserID      int    `json:"actor_user_id"`
	Time             string `json:"time"`
	ChangeSource     string `json:"change_source"`
	IsBulkUpdateFlag bool   `json:"is_bulk_update_flag"`
}

// Users of the fake company.
const (
	HumanUserID = 7
	TokenUserID = 9 // the user the API token belongs to
)

// Epoch is when the generated history starts.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// renamed are v1 keys that v2 records spell differently.
var renamed = map[string]map[string]string{
	"deals":   {"user_id": "owner_id"},
	"persons": {"email": "emails", "phone": "phones"},
}

var fieldsPaths = map[string]string{"dealFields": "deals", "personFields": "persons", "organizationFields": "organizations"}

func system(key, name, typ string) Field {
	return Field{Key: key, Name: name, FieldType: typ, ActiveFlag: true}
}

func plain(key, name, typ string) Field {
	return Field{Key: key, Name: name, FieldType: typ, ActiveFlag: true, BulkEditAllowed: true}
}

func standard(object string) []Field {
	fs := []Field{system("id", "ID", "int")}
	switch object {
	case "deals":
		status := plain("status", "Status", "status")
		status.Options = []Option{{ID: "open", Label: "Open"}, {ID: "won", Label: "Won"}, {ID: "lost", Label: "Lost"}}
		fs = append(fs, plain("title", "Title", "varchar"), plain("value", "Value", "monetary"), status,
			plain("stage_id", "Stage", "stage"), plain("user_id", "Owner", "user"), plain("person_id", "Contact person", "people"),
			plain("org_id", "Organization", "org"), plain("expected_close_date", "Expected close date", "date"),
			plain("probability", "Probability", "double"))
	case "persons":
		fs = append(fs, plain("name", "Name", "varchar"), plain("email", "Email", "varchar"), plain("phone", "Phone", "phone"),
			plain("org_id", "Organization", "org"), plain("owner_id", "Owner", "user"))
	case "organizations":
		fs = append(fs, plain("name", "Name", "varchar"), plain("address", "Address", "address"), plain("owner_id", "Owner", "user"))
	}
	return append(fs, system("add_time", "Created", "date"))
}

var kinds = []string{"varchar", "double", "enum", "set", "date", "text", "phone", "monetary", "user", "time"}

// CustomKey is the 40-character hash key of the i-th custom field of an object.
func CustomKey(object string, i int) string {
	sum := sha1.Sum([]byte(fmt.Sprintf("%s:%d", object, i)))
	return hex.EncodeToString(sum[:])
}

// custom generates the i-th custom field; every 13th is inactive.
func custom(object string, i int) Field {
	f := Field{Key: CustomKey(object, i), Name: fmt.Sprintf("Custom %d", i), FieldType: kinds[i%len(kinds)],
		ActiveFlag: i%13 != 12, EditFlag: true, BulkEditAllowed: true}
	if f.FieldType == "enum" || f.FieldType == "set" {
		base := 100 + 3*i
		f.Options = []Option{{ID: base, Label: "Small"}, {ID: base + 1, Label: "Medium"}, {ID: base + 2, Label: "Large"}}
	}
	return f
}

func generate(object string, n int) []Field {
	fs := standard(object)
	for i := 0; len(fs) < n; i++ {
		fs = append(fs, custom(object, i))
	}
	for i := range fs {
		fs[i].ID, fs[i].OrderNr = i+1, i+1
	}
	return fs
}

// generated is a record's v2 value of a field before any write.
func generated(f Field, id, idx int) any {
	switch f.FieldType {
	case "int":
		return id
	case "status":
		return "open"
	case "enum":
		return f.Options[idx%3].ID
	case "set":
		return []any{f.Options[0].ID, f.Options[2].ID}
	case "double":
		return float64(idx * 5)
	case "monetary":
		if f.EditFlag {
			return map[string]any{"value": float64(idx * 100), "currency": "EUR"}
		}
		return float64(idx * 100)
	case "date":
		return Epoch.AddDate(0, 0, idx).Format("2006-01-02")
	case "user", "people", "org", "stage":
		return HumanUserID
	case "time":
		return "09:30:00"
	}
	if f.Key == "email" {
		return []map[string]any{{"value": fmt.Sprintf("person%d@example.com", idx), "primary": true, "label": "work"}}
	}
	if f.Key == "phone" {
		return []map[string]any{{"value": fmt.Sprintf("+4930%06d", idx), "primary": true, "label": "work"}}
	}
	return fmt.Sprintf("%s %d", f.Name, idx)
}

// generatedChangelog is newest first: someone in the app set "edited",
// then the API set the current value a day later.
func generatedChangelog(key string, current any, idx int) []Change {
	at := Epoch.Add(time.Duration(idx) * time.Hour)
	return []Change{
		{FieldKey: key, OldValue: "edited", NewValue: current, ActorUserID: TokenUserID, Time: at.Add(24 * time.Hour).Format(time.DateTime), ChangeSource: "api"},
		{FieldKey: key, OldValue: nil, NewValue: "edited", ActorUserID: HumanUserID, Time: at.Format(time.DateTime), ChangeSource: "app"},
	}
}

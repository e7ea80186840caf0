package salesforcetest

import (
	"fmt"
	"strconv"
	"time"
)

// Field is a field of a describe result, with its FieldDefinition
// SecurityClassification.
type Field struct {
	Name                   string     `json:"name"`
	Label                  string     `json:"label"`
	Type                   string     `json:"type"`
	Updateable             bool       `json:"updateable"`
	Custom                 bool       `json:"custom"`
	Calculated             bool       `json:"calculated"`
	DeprecatedAndHidden    bool       `json:"deprecatedAndHidden"`
	PicklistValues         []Picklist `json:"picklistValues"`
	SecurityClassification string     `json:"-"`
}

// Picklist is one value of a picklist field.
type Picklist struct {
	Active       bool   `json:"active"`
	DefaultValue bool   `json:"defaultValue"`
	Label        string `json:"label"`
	Value        string `json:"value"`
}

// HistoryRow is one row of a field history table.
type HistoryRow struct {
	ParentID    string
	Field       string
	OldValue    any
	NewValue    any
	CreatedByID string
	CreatedDate time.Time
}

// Users of the fake org.
const (
	IntegrationUserID = "005INTEG000000001AAA"
	HumanUserID       = "005HUMAN000000001AAA"
	OrgID             = "00D000000000001AAA"
)

// Epoch is when the generated history starts.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var prefixes = map[string]string{"Lead": "00Q", "Contact": "003", "Account": "001", "Opportunity": "006", "Case": "500"}

// RecordID is the id of the i-th generated record of an object (from 0).
func RecordID(object string, i int) string {
	p, ok := prefixes[object]
	if !ok {
		p = "a00"
	}
	return fmt.Sprintf("%s%012dAAA", p, i+1)
}

func picklist(active []string, inactive ...string) []Picklist {
	var out []Picklist
	for _, v := range active {
		out = append(out, Picklist{Active: true, Label: v, Value: v})
	}
	for _, v := range inactive {
		out = append(out, Picklist{Label: v, Value: v})
	}
	return out
}

func standard(object string) []Field {
	fs := []Field{{Name: "Id", Label: "Record ID", Type: "id"},
		{Name: "OwnerId", Label: "Owner ID", Type: "reference", Updateable: true},
		{Name: "CreatedDate", Label: "Created Date", Type: "datetime"}}
	switch object {
	case "Opportunity":
		fs = append(fs, Field{Name: "Name", Label: "Name", Type: "string", Updateable: true},
			Field{Name: "StageName", Label: "Stage", Type: "picklist", Updateable: true, PicklistValues: picklist([]string{"Prospecting", "Closed Won", "Closed Lost"}, "Legacy")},
			Field{Name: "Amount", Label: "Amount", Type: "currency", Updateable: true},
			Field{Name: "CloseDate", Label: "Close Date", Type: "date", Updateable: true},
			Field{Name: "Probability", Label: "Probability (%)", Type: "percent", Updateable: true})
	case "Lead", "Contact":
		fs = append(fs, Field{Name: "LastName", Label: "Last Name", Type: "string", Updateable: true},
			Field{Name: "Email", Label: "Email", Type: "email", Updateable: true, SecurityClassification: "Confidential"},
			Field{Name: "Phone", Label: "Phone", Type: "phone", Updateable: true, SecurityClassification: "Confidential"})
	case "Account":
		fs = append(fs, Field{Name: "Name", Label: "Account Name", Type: "string", Updateable: true},
			Field{Name: "Website", Label: "Website", Type: "url", Updateable: true},
			Field{Name: "NumberOfEmployees", Label: "Employees", Type: "int", Updateable: true})
	case "Case":
		fs = append(fs, Field{Name: "Subject", Label: "Subject", Type: "string", Updateable: true},
			Field{Name: "Description", Label: "Description", Type: "textarea", Updateable: true},
			Field{Name: "Status", Label: "Status", Type: "picklist", Updateable: true, PicklistValues: picklist([]string{"New", "Working", "Closed"})})
	}
	return fs
}

var kinds = []string{"string", "double", "picklist", "date", "datetime", "boolean", "textarea", "phone", "email", "url", "int", "currency"}

// custom generates the i-th custom field: every 9th is a formula
// (read-only), every 5th from 2 Restricted, from 4 Internal.
func custom(i int) Field {
	f := Field{Name: fmt.Sprintf("Custom_%d__c", i), Label: fmt.Sprintf("Custom %d", i), Type: kinds[i%len(kinds)], Custom: true, Updateable: true}
	if f.Type == "picklist" {
		f.PicklistValues = picklist([]string{"Alpha", "Beta"}, "Retired")
	}
	if i%9 == 8 {
		f.Updateable, f.Calculated = false, true
	}
	switch i % 5 {
	case 2:
		f.SecurityClassification = "Restricted"
	case 4:
		f.SecurityClassification = "Internal"
	}
	return f
}

func generate(object string, n int) []Field {
	fs := standard(object)
	for i := 0; len(fs) < n; i++ {
		fs = append(fs, custom(i))
	}
	return fs
}

// generated is a record's value of a field before any write.
func generated(object string, f Field, idx int) any {
	switch f.Type {
	case "id":
		return RecordID(object, idx)
	case "reference":
		return HumanUserID
	case "picklist":
		return f.PicklistValues[idx%2].Value
	case "double", "currency", "percent", "int":
		return float64(idx * 10)
	case "boolean":
		return idx%2 == 0
	case "date":
		return Epoch.AddDate(0, 0, idx).Format("2006-01-02")
	case "datetime":
		return Epoch.Add(time.Duration(idx) * time.Hour).Format("2006-01-02T15:04:05.000+0000")
	case "email":
		return "person" + strconv.Itoa(idx) + "@example.com"
	default:
		return fmt.Sprintf("%s %d", f.Label, idx)
	}
}

// generatedHistory: a person set "edited", then the integration user set
// the current value a day later.
func generatedHistory(id, field string, current any, idx int) []HistoryRow {
	at := Epoch.Add(time.Duration(idx) * time.Hour)
	return []HistoryRow{
		{ParentID: id, Field: field, OldValue: nil, NewValue: "edited", CreatedByID: HumanUserID, CreatedDate: at},
		{ParentID: id, Field: field, OldValue: "edited", NewValue: current, CreatedByID: IntegrationUserID, CreatedDate: at.Add(24 * time.Hour)},
	}
}

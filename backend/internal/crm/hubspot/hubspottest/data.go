package hubspottest

import (
	"fmt"
	"strconv"
	"time"
)

// Property is a property definition as HubSpot's v3 API returns it.
type Property struct {
	Name                 string      `json:"name"`
	Label                string      `json:"label"`
	Description          string      `json:"description"`
	GroupName            string      `json:"groupName"`
	Type                 string      `json:"type"`
	FieldType            string      `json:"fieldType"`
	Options              []Option    `json:"options"`
	DataSensitivity      string      `json:"dataSensitivity"`
	ReferencedObjectType string      `json:"referencedObjectType,omitempty"`
	ShowCurrencySymbol   bool        `json:"showCurrencySymbol,omitempty"`
	Calculated           bool        `json:"calculated"`
	HubspotDefined       bool        `json:"hubspotDefined,omitempty"`
	Archived             bool        `json:"archived"`
	ModificationMetadata ModMetadata `json:"modificationMetadata"`
}

// Option is one allowed value of an enumeration property.
type Option struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Hidden       bool   `json:"hidden"`
	DisplayOrder int    `json:"displayOrder"`
}

// ModMetadata says what of a property can be changed.
type ModMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

// HistoryValue is one entry of propertiesWithHistory.
type HistoryValue struct {
	Value           string `json:"value"`
	Timestamp       string `json:"timestamp"`
	SourceType      string `json:"sourceType"`
	SourceID        string `json:"sourceId,omitempty"`
	UpdatedByUserID *int64 `json:"updatedByUserId,omitempty"`
}

// Epoch is when the generated history starts.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// HumanUserID is the user the generated CRM_UI edits are made by.
const HumanUserID = 12345

var stages = []Option{{Label: "Appointment scheduled", Value: "appointmentscheduled"}, {Label: "Closed won", Value: "closedwon"}, {Label: "Closed lost", Value: "closedlost"}}
var lifecycle = []Option{{Label: "Lead", Value: "lead"}, {Label: "Customer", Value: "customer"}}

// standard are the HubSpot-defined properties each object starts with.
func standard(object string) []Property {
	ps := []Property{
		{Name: "hs_object_id", Label: "Record ID", Type: "number", FieldType: "number", ModificationMetadata: ModMetadata{ReadOnlyValue: true, ReadOnlyDefinition: true}},
		{Name: "createdate", Label: "Create date", Type: "datetime", FieldType: "date", ModificationMetadata: ModMetadata{ReadOnlyValue: true, ReadOnlyDefinition: true}},
		{Name: "hubspot_owner_id", Label: "Owner", Type: "enumeration", FieldType: "select", ReferencedObjectType: "OWNER"},
	}
	switch object {
	case "contacts":
		ps = append(ps, Property{Name: "email", Label: "Email", Type: "string", FieldType: "text"},
			Property{Name: "firstname", Label: "First name", Type: "string", FieldType: "text"},
			Property{Name: "phone", Label: "Phone", Type: "string", FieldType: "phonenumber", DataSensitivity: "sensitive"},
			Property{Name: "lifecyclestage", Label: "Lifecycle stage", Type: "enumeration", FieldType: "radio", Options: lifecycle})
	case "companies":
		ps = append(ps, Property{Name: "name", Label: "Name", Type: "string", FieldType: "text"},
			Property{Name: "domain", Label: "Domain", Type: "string", FieldType: "text"})
	case "deals":
		ps = append(ps, Property{Name: "dealname", Label: "Deal name", Type: "string", FieldType: "text"},
			Property{Name: "amount", Label: "Amount", Type: "number", FieldType: "number", ShowCurrencySymbol: true},
			Property{Name: "dealstage", Label: "Deal stage", Type: "enumeration", FieldType: "radio", Options: stages},
			Property{Name: "closedate", Label: "Close date", Type: "datetime", FieldType: "date"})
	case "tickets":
		ps = append(ps, Property{Name: "subject", Label: "Subject", Type: "string", FieldType: "text"},
			Property{Name: "content", Label: "Description", Type: "string", FieldType: "textarea"})
	}
	for i := range ps {
		ps[i].HubspotDefined = true
	}
	return ps
}

// kinds cycle through the generated custom properties.
var kinds = [][2]string{{"string", "text"}, {"number", "number"}, {"enumeration", "select"}, {"date", "date"},
	{"datetime", "date"}, {"bool", "booleancheckbox"}, {"string", "textarea"}, {"string", "phonenumber"}}

// custom generates the i-th custom property: every 7th is sensitive, every
// 11th highly sensitive, every 13th archived.
func custom(i int) Property {
	k := kinds[i%len(kinds)]
	p := Property{Name: fmt.Sprintf("custom_%d", i), Label: fmt.Sprintf("Custom %d", i), Type: k[0], FieldType: k[1], GroupName: "custom"}
	if k[0] == "enumeration" {
		p.Options = []Option{{Label: "Alpha", Value: "a"}, {Label: "Beta", Value: "b"}, {Label: "Gamma", Value: "c"}}
	}
	switch {
	case i%11 == 5:
		p.DataSensitivity = "highly_sensitive"
	case i%7 == 3:
		p.DataSensitivity = "sensitive"
	}
	p.Archived = i%13 == 12
	return p
}

func generate(object string, n int) []Property {
	ps := standard(object)
	for i := 0; len(ps) < n; i++ {
		ps = append(ps, custom(i))
	}
	for i := range ps {
		if ps[i].DataSensitivity == "" {
			ps[i].DataSensitivity = "non_sensitive"
		}
		ps[i].ModificationMetadata.Archivable = !ps[i].HubspotDefined
	}
	return ps
}

// generated is a record's value of a property before any write.
func generated(p Property, id string, idx int) string {
	switch {
	case p.Name == "hs_object_id":
		return id
	case p.Name == "email":
		return fmt.Sprintf("person%d@example.com", idx)
	case len(p.Options) > 0:
		return p.Options[idx%len(p.Options)].Value
	case p.Type == "number":
		return strconv.Itoa(idx * 10)
	case p.Type == "date" || p.Type == "datetime":
		return Epoch.Add(time.Duration(idx) * time.Hour).Format("2006-01-02T15:04:05.000Z")
	case p.Type == "bool":
		return strconv.FormatBool(idx%2 == 0)
	case p.ReferencedObjectType != "":
		return strconv.Itoa(HumanUserID)
	default:
		return fmt.Sprintf("%s %d", p.Label, idx)
	}
}

// generatedHistory is newest first, as HubSpot returns it: an import, an
// edit in the UI, then an integration setting the current value.
func generatedHistory(current string, idx int) []HistoryValue {
	at := func(h int) string {
		return Epoch.Add(time.Duration(idx+h) * time.Hour).Format("2006-01-02T15:04:05.000Z")
	}
	user := int64(HumanUserID)
	return []HistoryValue{
		{Value: current, Timestamp: at(48), SourceType: "INTEGRATION", SourceID: "app:4242"},
		{Value: "edited", Timestamp: at(24), SourceType: "CRM_UI", SourceID: "userId:12345", UpdatedByUserID: &user},
		{Value: "imported", Timestamp: at(0), SourceType: "IMPORT", SourceID: "import:7"},
	}
}

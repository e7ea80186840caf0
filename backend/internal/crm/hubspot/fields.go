package hubspot

import (
	"context"
	"net/http"
	"net/url"

	"countersign/backend/internal/crm"
)

// sensitivities are HubSpot's dataSensitivity levels. Without the parameter
// only non-sensitive properties come back, so each level is asked for.
var sensitivities = []string{"non_sensitive", "sensitive", "highly_sensitive"}

type property struct {
	Name                 string `json:"name"`
	Label                string `json:"label"`
	Description          string `json:"description"`
	Type                 string `json:"type"`
	FieldType            string `json:"fieldType"`
	DataSensitivity      string `json:"dataSensitivity"`
	ReferencedObjectType string `json:"referencedObjectType"`
	NumberDisplayHint    string `json:"numberDisplayHint"`
	TextDisplayHint      string `json:"textDisplayHint"`
	ShowCurrencySymbol   bool   `json:"showCurrencySymbol"`
	Calculated           bool   `json:"calculated"`
	HubspotDefined       bool   `json:"hubspotDefined"`
	Archived             bool   `json:"archived"`
	Options              []struct {
		Label string `json:"label"`
		Value string `json:"value"`
	} `json:"options"`
	ModificationMetadata struct {
		ReadOnlyValue bool `json:"readOnlyValue"`
	} `json:"modificationMetadata"`
}

// Fields lists every property of an object at every sensitivity level,
// archived ones included: six calls, merged by name.
func (c *Connector) Fields(ctx context.Context, object string) ([]crm.Field, error) {
	var out []crm.Field
	seen := map[string]bool{}
	for _, archived := range []string{"false", "true"} {
		for _, level := range sensitivities {
			props, err := c.properties(ctx, object, level, archived)
			if err != nil {
				return nil, err
			}
			for _, p := range props {
				if !seen[p.Name] {
					seen[p.Name] = true
					out = append(out, toField(object, level, p))
				}
			}
		}
	}
	return out, nil
}

func (c *Connector) properties(ctx context.Context, object, level, archived string) ([]property, error) {
	q := url.Values{"dataSensitivity": {level}, "archived": {archived}}
	var body struct {
		Results []property `json:"results"`
	}
	_, err := c.http.JSON(ctx, http.MethodGet, c.url("/crm/v3/properties/"+url.PathEscape(object), q), nil, &body)
	return body.Results, err
}

func toField(object, level string, p property) crm.Field {
	f := crm.Field{
		Object:      object,
		Name:        p.Name,
		Label:       p.Label,
		Type:        fieldType(p),
		RawType:     p.Type + "/" + p.FieldType,
		ReadOnly:    p.ModificationMetadata.ReadOnlyValue || p.Calculated,
		Sensitivity: p.DataSensitivity,
		Archived:    p.Archived,
		Custom:      !p.HubspotDefined,
		Description: p.Description,
	}
	if f.Sensitivity == "" {
		f.Sensitivity = level
	}
	for _, o := range p.Options {
		f.Options = append(f.Options, crm.Option{Value: o.Value, Label: o.Label})
	}
	return f
}

// fieldType normalises type/fieldType. Checkboxes are enumerations of
// true/false in older portals; owners are enumerations whose options live
// elsewhere, so both are mapped by what they hold, not how they are stored.
func fieldType(p property) crm.FieldType {
	switch {
	case p.Name == "hs_object_id":
		return crm.TypeID
	case p.ReferencedObjectType != "":
		return crm.TypeReference
	case p.Type == "bool" || p.FieldType == "booleancheckbox":
		return crm.TypeBool
	case p.Type == "enumeration":
		return crm.TypeEnumeration
	case p.Type == "number" && (p.NumberDisplayHint == "currency" || p.ShowCurrencySymbol):
		return crm.TypeCurrency
	case p.Type == "number":
		return crm.TypeNumber
	case p.Type == "date":
		return crm.TypeDate
	case p.Type == "datetime":
		return crm.TypeDateTime
	case p.Type == "phone_number" || p.FieldType == "phonenumber" || p.TextDisplayHint == "phone_number":
		return crm.TypePhone
	case p.Name == "email" || p.TextDisplayHint == "email":
		return crm.TypeEmail
	case p.Type == "string" && (p.FieldType == "textarea" || p.FieldType == "html" || p.TextDisplayHint == "multi_line"):
		return crm.TypeText
	case p.Type == "string" && p.FieldType != "file":
		return crm.TypeString
	default:
		return crm.TypeOther
	}
}

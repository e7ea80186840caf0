package salesforce

import (
	"context"
	"net/http"
	"net/url"

	"countersign/backend/internal/crm"
)

type describe struct {
	Fields []struct {
		Name                string `json:"name"`
		Label               string `json:"label"`
		Type                string `json:"type"`
		Updateable          bool   `json:"updateable"`
		Custom              bool   `json:"custom"`
		DeprecatedAndHidden bool   `json:"deprecatedAndHidden"`
		InlineHelpText      string `json:"inlineHelpText"`
		PicklistValues      []struct {
			Active bool   `json:"active"`
			Label  string `json:"label"`
			Value  string `json:"value"`
		} `json:"picklistValues"`
	} `json:"fields"`
}

// Fields describes an object and merges in each field's
// SecurityClassification, which only FieldDefinition holds.
func (c *Connector) Fields(ctx context.Context, object string) ([]crm.Field, error) {
	if err := checkNames(object); err != nil {
		return nil, err
	}
	var d describe
	if err := c.call(ctx, http.MethodGet, dataPath+"/sobjects/"+url.PathEscape(object)+"/describe", nil, nil, &d); err != nil {
		return nil, err
	}
	levels, err := c.classifications(ctx, object)
	if err != nil {
		return nil, err
	}
	out := make([]crm.Field, 0, len(d.Fields))
	for _, f := range d.Fields {
		field := crm.Field{Object: object, Name: f.Name, Label: f.Label, Type: fieldType(f.Type), RawType: f.Type,
			ReadOnly: !f.Updateable, Sensitivity: levels[f.Name], Archived: f.DeprecatedAndHidden, Custom: f.Custom,
			Description: f.InlineHelpText}
		for _, p := range f.PicklistValues {
			if p.Active {
				field.Options = append(field.Options, crm.Option{Value: p.Value, Label: p.Label})
			}
		}
		out = append(out, field)
	}
	return out, nil
}

// classifications maps field name to SecurityClassification. A user who
// may not read FieldDefinition still gets the fields, without sensitivity.
func (c *Connector) classifications(ctx context.Context, object string) (map[string]string, error) {
	soql := "SELECT QualifiedApiName, SecurityClassification FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = " + quote(object)
	recs, err := c.queryAll(ctx, soql)
	if e, ok := crm.AsError(err); ok && (e.Kind == crm.KindValidation || e.Kind == crm.KindNotFound) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(recs))
	for _, r := range recs {
		name, err := str(r, "QualifiedApiName")
		if err != nil {
			return nil, c.http.Unexpected(http.StatusOK, "FieldDefinition: "+err.Error())
		}
		if out[name], err = str(r, "SecurityClassification"); err != nil {
			return nil, c.http.Unexpected(http.StatusOK, "FieldDefinition "+name+": "+err.Error())
		}
	}
	return out, nil
}

func fieldType(t string) crm.FieldType {
	switch t {
	case "picklist", "multipicklist", "combobox":
		return crm.TypeEnumeration
	case "double", "int", "long", "percent":
		return crm.TypeNumber
	case "currency":
		return crm.TypeCurrency
	case "date":
		return crm.TypeDate
	case "datetime":
		return crm.TypeDateTime
	case "boolean":
		return crm.TypeBool
	case "email":
		return crm.TypeEmail
	case "phone":
		return crm.TypePhone
	case "url":
		return crm.TypeURL
	case "reference":
		return crm.TypeReference
	case "id":
		return crm.TypeID
	case "textarea":
		return crm.TypeText
	case "string", "encryptedstring":
		return crm.TypeString
	default:
		return crm.TypeOther
	}
}

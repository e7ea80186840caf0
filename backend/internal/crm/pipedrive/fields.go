package pipedrive

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"countersign/backend/internal/crm"
)

type pdField struct {
	Key             string `json:"key"`
	Name            string `json:"name"`
	FieldType       string `json:"field_type"`
	ActiveFlag      *bool  `json:"active_flag"`
	EditFlag        bool   `json:"edit_flag"`
	BulkEditAllowed *bool  `json:"bulk_edit_allowed"`
	Options         []struct {
		ID    json.RawMessage `json:"id"`
		Label string          `json:"label"`
	} `json:"options"`
}

type fieldsPage struct {
	Data           []pdField `json:"data"`
	AdditionalData struct {
		Pagination struct {
			More      bool `json:"more_items_in_collection"`
			NextStart int  `json:"next_start"`
		} `json:"pagination"`
	} `json:"additional_data"`
}

// systemKeys are set by Pipedrive itself; the field metadata has no per-value
// read-only flag, and PATCH refuses them.
var systemKeys = map[string]bool{"id": true, "add_time": true, "update_time": true, "stage_change_time": true,
	"creator_user_id": true, "won_time": true, "lost_time": true, "close_time": true, "first_won_time": true,
	"last_activity_date": true, "next_activity_date": true, "activities_count": true}

// Fields pages through the v1 *Fields endpoint, 500 at a time.
func (c *Connector) Fields(ctx context.Context, object string) ([]crm.Field, error) {
	if err := known(object); err != nil {
		return nil, err
	}
	var out []crm.Field
	for start := 0; ; {
		q := url.Values{"start": {strconv.Itoa(start)}, "limit": {"500"}}
		var p fieldsPage
		if _, err := c.http.JSON(ctx, http.MethodGet, withQuery(c.v1+"/"+objects[object], q), nil, &p); err != nil {
			return nil, err
		}
		for _, f := range p.Data {
			out = append(out, toField(object, f))
		}
		if !p.AdditionalData.Pagination.More || p.AdditionalData.Pagination.NextStart <= start {
			return out, nil
		}
		start = p.AdditionalData.Pagination.NextStart
	}
}

func toField(object string, f pdField) crm.Field {
	out := crm.Field{Object: object, Name: f.Key, Label: f.Name, Type: fieldType(f), RawType: f.FieldType,
		ReadOnly: systemKeys[f.Key] || (f.BulkEditAllowed != nil && !*f.BulkEditAllowed),
		Archived: f.ActiveFlag != nil && !*f.ActiveFlag, Custom: f.EditFlag}
	for _, o := range f.Options {
		out.Options = append(out.Options, crm.Option{Value: strings.Trim(string(o.ID), `"`), Label: o.Label})
	}
	return out
}

func fieldType(f pdField) crm.FieldType {
	switch {
	case f.Key == "id":
		return crm.TypeID
	case f.Key == "email":
		return crm.TypeEmail
	}
	switch f.FieldType {
	case "enum", "set", "status", "visible_to", "varchar_options":
		return crm.TypeEnumeration
	case "double", "int":
		return crm.TypeNumber
	case "monetary":
		return crm.TypeCurrency
	case "date":
		return crm.TypeDate
	case "phone":
		return crm.TypePhone
	case "varchar", "varchar_auto", "address":
		return crm.TypeString
	case "text":
		return crm.TypeText
	case "boolean":
		return crm.TypeBool
	case "user", "org", "people", "deal", "stage", "lead", "project":
		return crm.TypeReference
	default:
		return crm.TypeOther
	}
}

// Package sandbox is Countersign's built-in CRM: HubSpot-shaped objects,
// fields and field history kept in our own PostgreSQL, provisioned per
// connection with a deterministic data set. It is the default connection of
// the demo and the tests, implements crm.Connector, and lets a person edit a
// record "in the CRM" so corrections can be shown.
package sandbox

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"countersign/backend/internal/crm"
)

// catalog.json holds the objects, their field definitions and the CRM users
// (owners); the data set generator draws from the same options.
//
//go:embed catalog.json
var catalogJSON []byte

// Owner is a CRM user: the value of hubspot_owner_id and an actor of history.
type Owner struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type objectDef struct {
	Name     string     `json:"name"`
	Label    string     `json:"label"`
	Modified string     `json:"modified"` // the read-only "last modified" field
	Fields   []fieldDef `json:"fields"`
}

type fieldDef struct {
	Name        string        `json:"name"`
	Label       string        `json:"label"`
	Type        crm.FieldType `json:"type"`
	RawType     string        `json:"raw"`
	Options     [][2]string   `json:"options"`
	OptionsFrom string        `json:"options_from"`
	ReadOnly    bool          `json:"read_only"`
	Sensitivity string        `json:"sensitivity"`
	Archived    bool          `json:"archived"`
	Custom      bool          `json:"custom"`
	Description string        `json:"description"`
}

type catalog struct {
	Owners     []Owner                `json:"owners"`
	Objects    []objectDef            `json:"objects"`
	OptionSets map[string][][2]string `json:"option_sets"`
}

var defs = mustLoadCatalog()

func mustLoadCatalog() catalog {
	var c catalog
	if err := json.Unmarshal(catalogJSON, &c); err != nil {
		panic(fmt.Sprintf("sandbox: catalog.json: %v", err))
	}
	return c
}

// objectTypes lists the objects in catalog order.
func objectTypes() []crm.ObjectType {
	out := make([]crm.ObjectType, len(defs.Objects))
	for i, o := range defs.Objects {
		out[i] = crm.ObjectType{Name: o.Name, Label: o.Label}
	}
	return out
}

func objectDefOf(name string) (objectDef, bool) {
	for _, o := range defs.Objects {
		if o.Name == name {
			return o, true
		}
	}
	return objectDef{}, false
}

// standardFields resolves the catalog into field definitions, options included.
func standardFields() []crm.Field {
	var out []crm.Field
	for _, o := range defs.Objects {
		for _, f := range o.Fields {
			out = append(out, f.field(o.Name))
		}
	}
	return out
}

func (f fieldDef) field(object string) crm.Field {
	sens := f.Sensitivity
	if sens == "" {
		sens = "non_sensitive"
	}
	return crm.Field{Object: object, Name: f.Name, Label: f.Label, Type: f.Type, RawType: f.RawType,
		Options: f.options(), ReadOnly: f.ReadOnly, Sensitivity: sens, Archived: f.Archived,
		Custom: f.Custom, Description: f.Description}
}

func (f fieldDef) options() []crm.Option {
	if f.OptionsFrom == "owners" {
		out := make([]crm.Option, len(defs.Owners))
		for i, o := range defs.Owners {
			out[i] = crm.Option{Value: o.ID, Label: o.Name}
		}
		return out
	}
	pairs := f.Options
	if f.OptionsFrom != "" {
		pairs = defs.OptionSets[f.OptionsFrom]
	}
	out := make([]crm.Option, len(pairs))
	for i, p := range pairs {
		out[i] = crm.Option{Value: p[0], Label: p[1]}
	}
	return out
}

// optionValues lists the values of a named option set, for the generator.
func optionValues(set string) []string {
	pairs := defs.OptionSets[set]
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0]
	}
	return out
}

// Package crm is the one interface every capability uses to talk to a CRM:
// list object types and fields, read and update records, and read a field's
// change history with who or what made each change. Providers live in
// sub-packages (sandbox, hubspot, salesforce, pipedrive); the shared HTTP layer
// (rate limiting, Retry-After, retries, typed errors) is in crm/httpx.
package crm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Provider names a CRM implementation.
type Provider string

// The providers Countersign connects to.
const (
	Sandbox    Provider = "sandbox"
	HubSpot    Provider = "hubspot"
	Salesforce Provider = "salesforce"
	Pipedrive  Provider = "pipedrive"
)

// Providers lists every provider, in the order the console offers them.
var Providers = []Provider{Sandbox, HubSpot, Salesforce, Pipedrive}

// ObjectType is a kind of record: contacts, deals, Opportunity, …
type ObjectType struct {
	Name  string // API name: "contacts", "Opportunity", "deal"
	Label string
}

// FieldType is the normalised type of a field; RawType keeps the CRM's own.
type FieldType string

// Normalised field types; validators and the policy engine use these.
const (
	TypeString      FieldType = "string"
	TypeText        FieldType = "text" // long text
	TypeNumber      FieldType = "number"
	TypeCurrency    FieldType = "currency"
	TypeDate        FieldType = "date"
	TypeDateTime    FieldType = "datetime"
	TypeBool        FieldType = "bool"
	TypeEnumeration FieldType = "enumeration"
	TypeEmail       FieldType = "email"
	TypePhone       FieldType = "phone"
	TypeURL         FieldType = "url"
	TypeReference   FieldType = "reference" // owner, lookup, id of another record
	TypeID          FieldType = "id"
	TypeOther       FieldType = "other"
)

// Option is one allowed value of an enumeration field.
type Option struct {
	Value string `json:"value" yaml:"value"`
	Label string `json:"label" yaml:"label"`
}

// Field is a field's definition as the CRM reports it.
type Field struct {
	Object      string
	Name        string // API name
	Label       string
	Type        FieldType
	RawType     string // the provider's own type name, e.g. "enumeration/select", "picklist"
	Options     []Option
	ReadOnly    bool
	Sensitivity string // the CRM's own: HubSpot dataSensitivity, Salesforce SecurityClassification; "" if none
	Archived    bool
	Custom      bool
	Description string
}

// Record is a record's current values for the fields asked for. Values hold
// JSON scalars (string, float64, bool) or nil for empty.
type Record struct {
	ID     string
	Values map[string]any
}

// Update sets fields of one record; a nil value clears the field.
type Update struct {
	RecordID string
	Values   map[string]any
}

// UpdateResult is the outcome for one record of a batch update; Err is a
// *Error (or nil) so one failed record never hides the others.
type UpdateResult struct {
	RecordID string
	Err      error
	// Values are the written fields as the CRM's answer to the write reports
	// them (HubSpot returns the updated properties), nil when the provider's
	// answer does not carry them: a caller confirms a write with them, or by
	// reading the record back.
	Values map[string]any
}

// ChangeSource says who or what made a change in the CRM.
type ChangeSource string

// Change sources, normalised across providers.
const (
	SourceHuman   ChangeSource = "human"  // a person in the CRM's UI
	SourceAPI     ChangeSource = "api"    // an integration or API client (Countersign included)
	SourceImport  ChangeSource = "import" // bulk import
	SourceSystem  ChangeSource = "system" // workflows, automation, calculated
	SourceUnknown ChangeSource = "unknown"
)

// Change is one historical value of a field of a record.
type Change struct {
	RecordID string
	Field    string
	Value    any
	At       time.Time
	Source   ChangeSource
	Actor    string // user id/email or integration name, as the CRM reports it
}

// Page is a page of records and the cursor of the next one ("" at the end).
type Page struct {
	Records []Record
	Next    string
}

// Connector talks to one CRM connection. Implementations are safe for
// concurrent use and honour ctx deadlines.
type Connector interface {
	// ObjectTypes lists the object types Countersign manages.
	ObjectTypes(ctx context.Context) ([]ObjectType, error)
	// Fields lists every field of an object, archived ones included.
	Fields(ctx context.Context, object string) ([]Field, error)
	// ReadRecords returns the current values of fields for the given ids;
	// missing ids are absent from the result.
	ReadRecords(ctx context.Context, object string, ids, fields []string) ([]Record, error)
	// ListRecords pages through an object's records.
	ListRecords(ctx context.Context, object string, fields []string, limit int, after string) (Page, error)
	// UpdateRecords writes values, batched to the provider's limit, with a
	// result per record.
	UpdateRecords(ctx context.Context, object string, updates []Update) ([]UpdateResult, error)
	// History returns the changes of the fields of the records since a time, oldest first.
	History(ctx context.Context, object string, recordIDs, fields []string, since time.Time) ([]Change, error)
}

// Connection is what a connector is built from: the stored connection with
// its decrypted credentials.
type Connection struct {
	ID          string
	TenantID    string
	Provider    Provider
	BaseURL     string            // API base; "" means the provider's public default
	Credentials map[string]string // provider-specific, e.g. access_token; never logged
}

// Factory builds a connector for a connection.
type Factory func(ctx context.Context, c Connection) (Connector, error)

// Kind classifies a connector error.
type Kind string

// Error kinds every provider maps its failures to.
const (
	KindAuthExpired Kind = "auth_expired" // credentials rejected or expired (after a refresh attempt)
	KindNotFound    Kind = "not_found"    // object, field or record does not exist
	KindValidation  Kind = "validation"   // the CRM refused a value; Field names it
	KindRateLimited Kind = "rate_limited" // still limited after honouring Retry-After
	KindUnavailable Kind = "unavailable"  // 5xx, timeouts, network errors after retries
	KindConflict    Kind = "conflict"     // the record changed underneath us
)

// Error is a typed connector error. Message is safe to show a user: it never
// carries a raw response body or credentials.
type Error struct {
	Kind       Kind
	Provider   Provider
	Field      string        // for KindValidation, when the CRM says which
	Message    string        // human-readable, e.g. "Property values were not valid: …"
	RetryAfter time.Duration // for KindRateLimited
	Status     int           // HTTP status, for logs and metrics
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Provider, e.Kind)
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is lets errors.Is(err, crm.ErrRateLimited) match any error of that kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Provider == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is.
var (
	ErrAuthExpired = &Error{Kind: KindAuthExpired}
	ErrNotFound    = &Error{Kind: KindNotFound}
	ErrValidation  = &Error{Kind: KindValidation}
	ErrRateLimited = &Error{Kind: KindRateLimited}
	ErrUnavailable = &Error{Kind: KindUnavailable}
	ErrConflict    = &Error{Kind: KindConflict}
)

// AsError extracts a *Error.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

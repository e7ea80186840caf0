package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// The policy file: field policies as code, exported, reviewed in a pull
// request, and imported with a dry-run diff first.
type policyFile struct {
	Version     int              `yaml:"version"`
	Connections []connectionFile `yaml:"connections"`
}

type connectionFile struct {
	Connection string                           `yaml:"connection"`
	Provider   string                           `yaml:"provider,omitempty"`
	Objects    map[string]map[string]policyYAML `yaml:"objects"`
}

type policyYAML struct {
	Sensitivity         string   `yaml:"sensitivity"`
	Mode                string   `yaml:"mode"`
	ConfidenceThreshold *float64 `yaml:"confidence_threshold,omitempty"`
	EvidenceRequired    bool     `yaml:"evidence_required,omitempty"`
	SLAMinutes          *int     `yaml:"sla_minutes,omitempty"`
	Tags                []string `yaml:"tags,flow,omitempty"`
}

const fileHeader = "# Countersign field policies. Edit and import them on the Fields page (a dry run shows the diff first).\n" +
	"# sensitivity: low|medium|high|critical  mode: auto|review|two_person|blocked\n" +
	"# tags: pipeline, forecast, commission, pii, attribution, identifier, consent\n"

// Export writes the tenant's policies (one connection, or all) as YAML.
func (s *Service) Export(ctx context.Context, tenantID, connectionID string) (string, int, error) {
	conns, err := s.store.Connections(ctx, tenantID)
	if err != nil {
		return "", 0, err
	}
	if connectionID != "" {
		if _, _, err := s.find(ctx, tenantID, connectionID); err != nil {
			return "", 0, err
		}
	}
	file := policyFile{Version: 1}
	n := 0
	for _, c := range conns {
		if connectionID != "" && c.ID != connectionID {
			continue
		}
		fields, _, err := s.store.ConnectionFields(ctx, tenantID, c.ID)
		if err != nil {
			return "", 0, err
		}
		cf := connectionFile{Connection: c.Name, Provider: string(c.Provider), Objects: map[string]map[string]policyYAML{}}
		for _, f := range fields {
			if f.Archived {
				continue
			}
			if cf.Objects[f.Object] == nil {
				cf.Objects[f.Object] = map[string]policyYAML{}
			}
			cf.Objects[f.Object][f.Name] = toYAML(f.Policy)
			n++
		}
		file.Connections = append(file.Connections, cf)
	}
	b, err := yaml.Marshal(file)
	return fileHeader + string(b), n, err
}

func toYAML(p Policy) policyYAML {
	t := p.ConfidenceThreshold
	return policyYAML{Sensitivity: p.Sensitivity, Mode: p.Mode, ConfidenceThreshold: &t,
		EvidenceRequired: p.EvidenceRequired, SLAMinutes: p.SLAMinutes, Tags: p.Tags}
}

// ImportChange is one field whose policy the file changes.
type ImportChange struct {
	FieldID, Connection, Object, Field string
	Before, After                      Policy
}

// ImportResult is the diff, and whether it was applied.
type ImportResult struct {
	Applied   bool
	Changes   []ImportChange
	Unchanged int
}

// Import reads a policy file and applies it unless dryRun. Fields the file
// does not mention are left alone; every mentioned field becomes decided.
func (s *Service) Import(ctx context.Context, actor principal.Principal, src string, dryRun bool) (ImportResult, error) {
	var file policyFile
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return ImportResult{}, yamlProblem(err)
	}
	var root yaml.Node
	yaml.Unmarshal([]byte(src), &root) // parsed above: only for the lines of later errors
	if file.Version != 1 {
		return ImportResult{}, withLines(problem.InvalidField("version", "must be 1 (the only version of the policy file)"), &root)
	}
	res := ImportResult{Applied: !dryRun, Changes: []ImportChange{}}
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		changes, unchanged, err := s.diffFile(ctx, actor, file)
		if err != nil {
			return withLines(err, &root)
		}
		res.Changes, res.Unchanged = changes, unchanged
		if dryRun {
			return nil
		}
		writes := make([]PolicyWrite, len(changes))
		for i, c := range changes {
			before := c.Before
			writes[i] = PolicyWrite{FieldID: c.FieldID, Before: &before, After: c.After}
		}
		if len(writes) == 0 {
			return nil
		}
		if err := s.store.WritePolicies(ctx, actor.TenantID, writes, Actor{UserID: actor.UserID, Email: actor.Email, Source: "import"}, s.Clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, actor, audit.PolicyImported, fmt.Sprintf("%d fields", len(writes)), map[string]any{"changed": len(writes), "unchanged": unchanged})
	})
	return res, err
}

func (s *Service) diffFile(ctx context.Context, actor principal.Principal, file policyFile) ([]ImportChange, int, error) {
	conns, err := s.store.Connections(ctx, actor.TenantID)
	if err != nil {
		return nil, 0, err
	}
	var bad problem.Fields
	var changes []ImportChange
	unchanged := 0
	for ci, cf := range file.Connections {
		path := fmt.Sprintf("connections[%d]", ci)
		c, ok := connectionNamed(conns, cf.Connection)
		if !ok {
			bad.Add(path+".connection", "no connection is named %q", cf.Connection)
			continue
		}
		fields, _, err := s.store.ConnectionFields(ctx, actor.TenantID, c.ID)
		if err != nil {
			return nil, 0, err
		}
		byKey := map[fieldKey]Field{}
		for _, f := range fields {
			byKey[fieldKey{f.Object, f.Name}] = f
		}
		for _, object := range sortedKeys(cf.Objects) {
			for _, name := range sortedKeys(cf.Objects[object]) {
				fpath := fmt.Sprintf("%s.objects.%s.%s", path, object, name)
				f, ok := byKey[fieldKey{object, name}]
				if !ok {
					bad.Add(fpath, "%s has no field %s.%s", c.Name, object, name)
					continue
				}
				next := fromYAML(cf.Objects[object][name], actor.Email)
				validatePolicy(&bad, fpath+".", next)
				if next.Same(f.Policy) {
					unchanged++
					continue
				}
				changes = append(changes, ImportChange{FieldID: f.ID, Connection: c.Name, Object: object, Field: name, Before: f.Policy, After: next})
			}
		}
	}
	return changes, unchanged, bad.Err()
}

func fromYAML(y policyYAML, email string) Policy {
	p := Policy{Sensitivity: y.Sensitivity, Mode: y.Mode, ConfidenceThreshold: DefaultThreshold, EvidenceRequired: y.EvidenceRequired,
		SLAMinutes: y.SLAMinutes, Tags: sortedTags(orEmpty(y.Tags)), Decided: true, Reason: "Imported by " + email}
	if y.ConfidenceThreshold != nil {
		p.ConfidenceThreshold = *y.ConfidenceThreshold
	}
	return p
}

func connectionNamed(cs []Connection, name string) (Connection, bool) {
	for _, c := range cs {
		if strings.EqualFold(c.Name, strings.TrimSpace(name)) {
			return c, true
		}
	}
	return Connection{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

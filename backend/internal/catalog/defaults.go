package catalog

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"countersign/backend/internal/crm"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// DefaultRule assigns a policy to the fields it matches.
type DefaultRule struct {
	Name   string
	Match  RuleMatch
	Policy struct {
		Sensitivity string
		Mode        string
		Tags        []string
	}
	Reason string
}

// RuleMatch is true when every condition given matches; a rule with both
// types and names matches either (a field of that type, or of that name).
type RuleMatch struct {
	CRMSensitivity []string `yaml:"crm_sensitivity"`
	Names          []string
	Types          []string
	ReadOnly       *bool `yaml:"read_only"`

	names []*regexp.Regexp
}

// Defaults is the parsed rules file.
type Defaults []DefaultRule

// LoadDefaults parses a rules file; it checks every rule's policy.
func LoadDefaults(src []byte) (Defaults, error) {
	var doc struct{ Rules Defaults }
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("default rules: %w", err)
	}
	for i := range doc.Rules {
		r := &doc.Rules[i]
		if !slices.Contains(Sensitivities, r.Policy.Sensitivity) || !slices.Contains(Modes, r.Policy.Mode) {
			return nil, fmt.Errorf("default rule %q: bad policy %+v", r.Name, r.Policy)
		}
		for _, p := range r.Match.Names {
			re, err := regexp.Compile("(?i)" + p)
			if err != nil {
				return nil, fmt.Errorf("default rule %q: %w", r.Name, err)
			}
			r.Match.names = append(r.Match.names, re)
		}
	}
	if len(doc.Rules) == 0 || !doc.Rules[len(doc.Rules)-1].Match.empty() {
		return nil, fmt.Errorf("default rules: the last rule must match everything")
	}
	return doc.Rules, nil
}

// builtinDefaults is defaults.yaml, checked at start.
var builtinDefaults = func() Defaults {
	d, err := LoadDefaults(defaultsYAML)
	if err != nil {
		panic(err)
	}
	return d
}()

// For returns the default policy of a field and the reason for it.
func (d Defaults) For(f crm.Field) Policy {
	for _, r := range d {
		if r.Match.matches(f) {
			return Policy{Sensitivity: r.Policy.Sensitivity, Mode: r.Policy.Mode, ConfidenceThreshold: DefaultThreshold,
				Tags: append([]string{}, r.Policy.Tags...), Reason: r.Reason, Rule: r.Name}
		}
	}
	panic("unreachable: the last rule matches everything")
}

func (m RuleMatch) empty() bool {
	return len(m.CRMSensitivity) == 0 && len(m.Names) == 0 && len(m.Types) == 0 && m.ReadOnly == nil
}

func (m RuleMatch) matches(f crm.Field) bool {
	if len(m.CRMSensitivity) > 0 && !slices.Contains(m.CRMSensitivity, strings.ToLower(f.Sensitivity)) {
		return false
	}
	if m.ReadOnly != nil && *m.ReadOnly != f.ReadOnly {
		return false
	}
	if len(m.Types) == 0 && len(m.names) == 0 {
		return true
	}
	if slices.Contains(m.Types, string(f.Type)) {
		return true
	}
	for _, re := range m.names {
		if re.MatchString(f.Name) {
			return true
		}
	}
	return false
}

package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"countersign/backend/internal/platform/problem"
)

// keysOf are the keys each part of a policy file takes, for "unknown key" answers.
var keysOf = map[string]string{
	"policyFile":     "version, connections",
	"connectionFile": "connection, provider, objects",
	"policyYAML":     "sensitivity, mode, confidence_threshold, evidence_required, sla_minutes, tags",
}

var (
	unknownKey = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S*\.(\w+)$`)
	wrongType  = regexp.MustCompile("^line (\\d+): cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")
	syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// yamlProblem says what is wrong with a policy file in the file's terms —
// its line, its key, what is allowed there — never in Go's.
func yamlProblem(err error) error {
	var fields problem.Fields
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			switch m := unknownKey.FindStringSubmatch(e); {
			case m != nil:
				fields.Add("yaml", "line %s: unknown key %q; here the keys are %s", m[1], m[2], keysOf[m[3]])
			default:
				if m := wrongType.FindStringSubmatch(e); m != nil {
					fields.Add("yaml", "line %s: %q is not %s", m[1], m[2], kindOf(m[3]))
				} else {
					fields.Add("yaml", "%s", strings.TrimPrefix(e, "yaml: "))
				}
			}
		}
		return fields.Err()
	}
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		return problem.InvalidField("yaml", "line %s: %s (not valid YAML)", m[1], m[2])
	}
	return problem.InvalidField("yaml", "is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}

func kindOf(goType string) string {
	switch {
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "catalog."):
		return "a mapping (key: value lines)"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case goType == "int", goType == "*int":
		return "a whole number"
	case goType == "float64", goType == "*float64":
		return "a number"
	case goType == "bool":
		return "true or false"
	}
	return "a text value"
}

// withLines prefixes each field error of a decoded file with the line it
// points at ("line 12: mode …"), found in the file's node tree.
func withLines(err error, root *yaml.Node) error {
	pe, ok := problem.As(err)
	if !ok || root == nil {
		return err
	}
	for i, f := range pe.Fields {
		if line := lineOf(root, f.Field); line > 0 {
			pe.Fields[i].Message = fmt.Sprintf("line %d: %s", line, f.Message)
		}
	}
	return pe
}

// lineOf finds the line of a path like connections[0].objects.deals.amount.mode.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(path, ".") {
		name, index := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			index, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == name {
				line, n, found = n.Content[k].Line, n.Content[k+1], true
				break
			}
		}
		if !found {
			return line
		}
		if index >= 0 {
			if n.Kind != yaml.SequenceNode || index >= len(n.Content) {
				return line
			}
			n = n.Content[index]
			line = n.Line
		}
	}
	return line
}

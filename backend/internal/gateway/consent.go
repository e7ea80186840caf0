package gateway

import (
	"fmt"
	"strings"
)

// consentState reads a consent field's value.
func consentState(v any) string {
	s := strings.ToLower(strings.TrimSpace(fmt.Sprint(v)))
	switch s {
	case "granted", "yes", "true", "opt_in", "opted_in", "given":
		return "granted"
	case "revoked", "no", "false", "denied", "opt_out", "opted_out", "withdrawn":
		return "revoked"
	}
	return "unknown"
}

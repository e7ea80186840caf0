// Package seeds holds the demo data `countersign seed` loads: the demo tenant
// with a user per role, and a second tenant so isolation is visible.
package seeds

import _ "embed"

// Demo is seeds/demo.json.
//
//go:embed demo.json
var Demo []byte

// Package migrations holds the numbered goose SQL migrations, embedded so the
// binary can migrate a database on its own (`countersign migrate`).
package migrations

import "embed"

// FS holds every *.sql migration in this folder.
//
//go:embed *.sql
var FS embed.FS

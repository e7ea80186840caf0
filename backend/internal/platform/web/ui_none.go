//go:build !ui

package web

import "io/fs"

// uiFS reports no console: plain `go build`/`go test` never need a frontend build.
func uiFS() (fs.FS, bool) { return nil, false }

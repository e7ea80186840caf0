//go:build ui

package web

import (
	"embed"
	"io/fs"
)

// dist is the Vite build of frontend/, written here by `npm run build`.
//
//go:embed all:dist
var dist embed.FS

func uiFS() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	return sub, err == nil
}

package config

import (
	"os"
	"path/filepath"
	"strings"
)

// DatabaseURLFile is where scripts/pg.sh records the private run cluster's
// URL, inside the checkout's .data directory.
const DatabaseURLFile = "database-url"

// WithPrivateCluster wraps getenv so that, when COUNTERSIGN_DATABASE_URL is
// not set, the URL of the checkout's private cluster is used: the CLI in a
// second shell finds the database that `make run` started, from any directory
// of the checkout or through bin/countersign's own location. The .data
// directory it was found in also becomes COUNTERSIGN_DATA_DIR (unless set),
// so the CLI seals and opens secrets with the server's development key.
func WithPrivateCluster(getenv func(string) string) func(string) string {
	if getenv("COUNTERSIGN_DATABASE_URL") != "" {
		return getenv
	}
	dataDir, url := findPrivateCluster()
	if url == "" {
		return getenv
	}
	return func(k string) string {
		switch {
		case k == "COUNTERSIGN_DATABASE_URL":
			return url
		case k == "COUNTERSIGN_DATA_DIR" && getenv(k) == "":
			return dataDir
		}
		return getenv(k)
	}
}

// findPrivateCluster looks for .data/database-url in the working directory
// and its parents, then beside the executable's directory (bin/..).
func findPrivateCluster() (dataDir, url string) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		starts = append(starts, filepath.Dir(filepath.Dir(exe)))
	}
	for _, dir := range starts {
		for {
			data := filepath.Join(dir, ".data")
			if b, err := os.ReadFile(filepath.Join(data, DatabaseURLFile)); err == nil && strings.TrimSpace(string(b)) != "" {
				return data, strings.TrimSpace(string(b))
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", ""
}

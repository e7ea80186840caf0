package web

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// SPA serves the embedded console: real files as they are (hashed assets cached
// for a year), every other path as index.html so client-side routes deep-link.
func SPA() fiber.Handler {
	assets, ok := uiFS()
	if !ok {
		return func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.Status(http.StatusOK).SendString(notBuiltPage)
		}
	}
	static := filesystem.New(filesystem.Config{Root: http.FS(assets), Index: "index.html"})
	return func(c *fiber.Ctx) error {
		p := strings.TrimPrefix(path.Clean(c.Path()), "/")
		if p != "" {
			if st, err := fs.Stat(assets, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
				}
				return static(c)
			}
		}
		index, err := fs.ReadFile(assets, "index.html")
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(index)
	}
}

const notBuiltPage = `<!doctype html><title>Countersign</title>
<p>This binary was built without the console (no <code>-tags ui</code>).
Run <code>make run</code>, which builds the frontend and embeds it.</p>`

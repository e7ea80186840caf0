package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

// SPA serves the embedded console: real files as they are, every other path
// as index.html so client-side routes deep-link.
func SPA() fiber.Handler {
	assets, ok := uiFS()
	if !ok {
		return func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.Status(http.StatusOK).SendString(notBuiltPage)
		}
	}
	return SPAFrom(assets)
}

// SPAFrom serves the console in assets. Hashed files under assets/ are cached
// for a year (their name changes with their content), index.html is revalidated
// on every load; text files are sent brotli- or gzip-compressed when the
// browser accepts it, each compressed once and kept in memory.
func SPAFrom(assets fs.FS) fiber.Handler {
	files := &compressed{fs: assets}
	return func(c *fiber.Ctx) error {
		// Fiber's path points into a buffer the next request reuses; p becomes a map key.
		p := strings.Clone(strings.TrimPrefix(path.Clean(c.Path()), "/"))
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(assets, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
				} else {
					c.Set(fiber.HeaderCacheControl, "no-cache")
				}
				return files.send(c, p)
			}
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return files.send(c, "index.html")
	}
}

// compressed holds each file's bytes and encodings, made on first request.
type compressed struct {
	fs    fs.FS
	files sync.Map // path → *encodings
}

type encodings struct {
	once          sync.Once
	raw, gzip, br []byte
	err           error
}

func (f *compressed) send(c *fiber.Ctx, p string) error {
	v, _ := f.files.LoadOrStore(p, &encodings{})
	e := v.(*encodings)
	e.once.Do(func() { e.raw, e.gzip, e.br, e.err = encode(f.fs, p) })
	if e.err != nil {
		return e.err
	}
	ctype := mime.TypeByExtension(path.Ext(p))
	if ctype == "" {
		ctype = fiber.MIMEOctetStream
	}
	c.Set(fiber.HeaderContentType, ctype)
	body := e.raw
	if e.gzip != nil {
		c.Vary(fiber.HeaderAcceptEncoding)
		switch accepts := c.Get(fiber.HeaderAcceptEncoding); {
		case strings.Contains(accepts, "br"):
			c.Set(fiber.HeaderContentEncoding, "br")
			body = e.br
		case strings.Contains(accepts, "gzip"):
			c.Set(fiber.HeaderContentEncoding, "gzip")
			body = e.gzip
		}
	}
	return c.Send(body)
}

// encode reads a file and, for text worth compressing, its gzip and brotli forms.
func encode(assets fs.FS, p string) (raw, gz, br []byte, err error) {
	raw, err = fs.ReadFile(assets, p)
	if err != nil || len(raw) < 1024 || !compressible(path.Ext(p)) {
		return raw, nil, nil, err
	}
	var g bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&g, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	var b bytes.Buffer
	bw := brotli.NewWriterLevel(&b, 9)
	bw.Write(raw)
	bw.Close()
	return raw, g.Bytes(), b.Bytes(), nil
}

func compressible(ext string) bool {
	switch ext {
	case ".js", ".css", ".html", ".svg", ".json", ".txt", ".map":
		return true
	}
	return false
}

const notBuiltPage = `<!doctype html><title>Countersign</title>
<p>This binary was built without the console (no <code>-tags ui</code>).
Run <code>make run</code>, which builds the frontend and embeds it.</p>`

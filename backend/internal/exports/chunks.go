package exports

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"

	"countersign/backend/internal/platform/db"
)

// chunkSize is how much of a file one export_chunks row holds (before it
// is compressed: each chunk is stored deflated on its own, which writes a
// fifth of the bytes for CSV and JSONL, and inflated as it is read).
const chunkSize = 1 << 20

// chunkWriter keeps a file in export_chunks as it is written, a chunk per
// statement (no long transaction), hashing and counting what passes.
type chunkWriter struct {
	packed             *bytes.Buffer
	zw                 *flate.Writer
	ctx                context.Context
	db                 *db.DB
	tenantID, exportID string
	buf                []byte
	n                  int
	sum                hash.Hash
	bytes              int64
}

func newChunkWriter(ctx context.Context, d *db.DB, tenantID, exportID string) *chunkWriter {
	packed := &bytes.Buffer{}
	zw, _ := flate.NewWriter(packed, flate.BestSpeed) // a valid level: no error
	return &chunkWriter{ctx: ctx, db: d, tenantID: tenantID, exportID: exportID, buf: make([]byte, 0, chunkSize), sum: sha256.New(),
		packed: packed, zw: zw}
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.sum.Write(p)
	w.bytes += int64(len(p))
	for rest := p; len(rest) > 0; {
		k := min(chunkSize-len(w.buf), len(rest))
		w.buf = append(w.buf, rest[:k]...)
		rest = rest[k:]
		if len(w.buf) == chunkSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	w.packed.Reset()
	w.zw.Reset(w.packed)
	if _, err := w.zw.Write(w.buf); err != nil {
		return err
	}
	if err := w.zw.Close(); err != nil {
		return err
	}
	err := w.db.Conn(w.ctx).Exec(`INSERT INTO export_chunks (tenant_id, export_id, n, data) VALUES (?, ?, ?, ?)`,
		w.tenantID, w.exportID, w.n, w.packed.Bytes()).Error
	w.n++
	w.buf = w.buf[:0]
	return err
}

// Close stores what is left.
func (w *chunkWriter) Close() error { return w.flush() }

// chunkReader reads a stored file back, a chunk per query.
type chunkReader struct {
	ctx                context.Context
	db                 *db.DB
	tenantID, exportID string
	n                  int
	cur                []byte
	done               bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var data []struct{ Data []byte }
		if err := r.db.Conn(r.ctx).Raw(`SELECT data FROM export_chunks WHERE tenant_id = ? AND export_id = ? AND n = ?`,
			r.tenantID, r.exportID, r.n).Scan(&data).Error; err != nil {
			return 0, err
		}
		if len(data) == 0 {
			r.done = true
			continue
		}
		raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(data[0].Data)))
		if err != nil {
			return 0, fmt.Errorf("export chunk %d: %w", r.n, err)
		}
		r.cur, r.n = raw, r.n+1
	}
	k := copy(p, r.cur)
	r.cur = r.cur[k:]
	return k, nil
}

package exports

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"sync"

	"countersign/backend/internal/platform/db"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// chunkSize is how much of a file one export_chunks row holds (before it
// is compressed: each chunk is stored compressed on its own with S2, about
// 43 % of the bytes for CSV, and decompressed as it is read).
const chunkSize = 256 << 10

// maxChunk is the most a stored chunk may decompress to: far above any
// chunk size (a later version may store larger ones), and it still refuses
// a corrupt chunk that claims gigabytes.
const maxChunk = 16 << 20

// zdec decompresses the chunks stored with zstd before S2 (DecodeAll may be
// called from any goroutine).
var zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxChunk),
	zstd.WithDecoderMaxMemory(64<<20))

// chunkWriter keeps a file in export_chunks as it is written, hashing and
// counting what passes. A full chunk is compressed and stored (a statement
// each: no long transaction) by a goroutine of its own while the next one
// fills, in two chunks' room.
type chunkWriter struct {
	chunks chunkStore
	buf    []byte
	sum    hash.Hash
	bytes  int64

	full   chan []byte // to the storer
	free   chan []byte // back from it
	stored chan struct{}
	mu     sync.Mutex
	err    error // the storer's first error
	closed bool
}

func newChunkWriter(chunks chunkStore) *chunkWriter {
	w := &chunkWriter{chunks: chunks, buf: make([]byte, 0, chunkSize), sum: sha256.New(),
		full: make(chan []byte), free: make(chan []byte, 2), stored: make(chan struct{})}
	w.free <- make([]byte, 0, chunkSize)
	go w.store()
	return w
}

// store compresses and inserts each full chunk in turn; after an error it
// only hands the buffers back.
func (w *chunkWriter) store() {
	defer close(w.stored)
	var packed []byte
	for n := 0; ; n++ {
		b, ok := <-w.full
		if !ok {
			return
		}
		if w.failed() == nil {
			packed = s2.Encode(packed[:cap(packed)], b)
			if err := w.chunks.put(n, packed, "s2"); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
		w.free <- b[:0]
	}
}

func (w *chunkWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if err := w.failed(); err != nil {
		return 0, err
	}
	w.sum.Write(p)
	w.bytes += int64(len(p))
	for rest := p; len(rest) > 0; {
		k := min(chunkSize-len(w.buf), len(rest))
		w.buf = append(w.buf, rest[:k]...)
		rest = rest[k:]
		if len(w.buf) == chunkSize {
			w.full <- w.buf
			w.buf = <-w.free
		}
	}
	return len(p), nil
}

// Close stores what is left and waits for the storer; it may be called again
// (an export that fails part-way closes it to stop the storer).
func (w *chunkWriter) Close() error {
	if !w.closed {
		w.closed = true
		if len(w.buf) > 0 {
			w.full <- w.buf
		}
		close(w.full)
		<-w.stored
	}
	return w.failed()
}

// chunkReader reads a stored file back, a chunk per query.
type chunkReader struct {
	chunks   chunkStore
	n        int
	cur, raw []byte // what is left of the chunk read; raw: the room it was decompressed into
	done     bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.done {
			return 0, io.EOF
		}
		data, codec, err := r.chunks.get(r.n)
		if err != nil {
			return 0, err
		}
		if data == nil {
			r.done = true
			continue
		}
		var raw []byte
		switch codec {
		case "s2":
			raw, err = decodeS2(data, r.raw)
			r.raw = raw
		case "zstd": // stored before S2
			raw, err = zdec.DecodeAll(data, r.raw[:0])
			r.raw = raw
		default: // stored before zstd
			raw, err = io.ReadAll(flate.NewReader(bytes.NewReader(data)))
		}
		if err != nil {
			return 0, fmt.Errorf("export chunk %d: %w", r.n, err)
		}
		r.cur, r.n = raw, r.n+1
	}
	k := copy(p, r.cur)
	r.cur = r.cur[k:]
	return k, nil
}

// decodeS2 decompresses a chunk into room (when it is large enough).
func decodeS2(data, room []byte) ([]byte, error) {
	n, err := s2.DecodedLen(data)
	switch {
	case err != nil:
		return nil, err
	case n > maxChunk:
		return nil, fmt.Errorf("a chunk of %d bytes decompressed, more than %d", n, maxChunk)
	}
	return s2.Decode(room[:cap(room)], data)
}

// chunkStore keeps an export's chunks, by number from 0.
type chunkStore interface {
	put(n int, data []byte, codec string) error
	get(n int) (data []byte, codec string, err error) // nil data: no chunk n
}

// dbChunks are an export's chunks in export_chunks.
type dbChunks struct {
	ctx                context.Context
	db                 *db.DB
	tenantID, exportID string
}

func (c dbChunks) put(n int, data []byte, codec string) error {
	return c.db.Conn(c.ctx).Exec(`INSERT INTO export_chunks (tenant_id, export_id, n, data, codec) VALUES (?, ?, ?, ?, ?)`,
		c.tenantID, c.exportID, n, data, codec).Error
}

func (c dbChunks) get(n int) ([]byte, string, error) {
	var rows []struct {
		Data  []byte
		Codec string
	}
	err := c.db.Conn(c.ctx).Raw(`SELECT data, codec FROM export_chunks WHERE tenant_id = ? AND export_id = ? AND n = ?`,
		c.tenantID, c.exportID, n).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, "", err
	}
	return rows[0].Data, rows[0].Codec, nil
}

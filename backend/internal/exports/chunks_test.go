package exports

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// memChunks keeps chunks in memory; put fails from chunk failAt on.
type memChunks struct {
	mu     sync.Mutex
	data   map[int][]byte
	codec  map[int]string
	failAt int
}

func newMemChunks() *memChunks {
	return &memChunks{data: map[int][]byte{}, codec: map[int]string{}, failAt: -1}
}

func (m *memChunks) put(n int, data []byte, codec string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failAt >= 0 && n >= m.failAt {
		return fmt.Errorf("storing chunk %d: disk full", n)
	}
	m.data[n], m.codec[n] = bytes.Clone(data), codec
	return nil
}

func (m *memChunks) get(n int) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.data[n], m.codec[n], nil
}

// file is n bytes of CSV-like text.
func file(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d,deals,%d,dealstage,\"\"\"appointment\"\"\",\"\"\"closed won %d\"\"\",agent,Closer\n", i, 1_000_000+i*7, i%13)
	}
	return b.Bytes()[:n]
}

// closeWithin fails the test if Close does not return in time (a storer
// that never hands a buffer back hangs the export).
func closeWithin(t *testing.T, w *chunkWriter) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- w.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return: the storer is stuck")
		return nil
	}
}

// A file of several chunks, written in uneven pieces, is stored compressed
// a chunk at a time and reads back byte for byte, with its SHA-256 and size.
func TestChunks_a_file_of_several_chunks_reads_back_as_written(t *testing.T) {
	for _, size := range []int{0, 100, chunkSize, 3*chunkSize + 12345} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			want := file(size)
			m := newMemChunks()
			w := newChunkWriter(m)
			for rest := want; len(rest) > 0; {
				k := min(len(rest), 70_001)
				if _, err := w.Write(rest[:k]); err != nil {
					t.Fatal(err)
				}
				rest = rest[k:]
			}
			if err := closeWithin(t, w); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil { // again: a no-op
				t.Fatal(err)
			}
			if chunks := (size + chunkSize - 1) / chunkSize; len(m.data) != chunks {
				t.Errorf("%d chunks stored, want %d", len(m.data), chunks)
			}
			stored := 0
			for n, d := range m.data {
				stored += len(d)
				if m.codec[n] != "s2" {
					t.Errorf("chunk %d stored as %q", n, m.codec[n])
				}
			}
			if size > chunkSize && stored*3 > size {
				t.Errorf("%d bytes stored for %d: not compressed", stored, size)
			}
			sum := sha256.Sum256(want)
			if w.bytes != int64(size) || !bytes.Equal(w.sum.Sum(nil), sum[:]) {
				t.Errorf("counted %d bytes, SHA-256 %x; want %d, %x", w.bytes, w.sum.Sum(nil), size, sum)
			}
			got, err := io.ReadAll(&chunkReader{chunks: m})
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read back %d bytes (%v), want %d equal bytes", len(got), err, len(want))
			}
		})
	}
}

// Chunks stored by earlier versions (deflate, then zstd) still read back.
func TestChunks_deflated_and_zstd_chunks_of_earlier_versions_read_back(t *testing.T) {
	want := file(2*chunkSize + 5000)
	m := newMemChunks()
	var packed bytes.Buffer
	zw, _ := flate.NewWriter(&packed, flate.BestSpeed)
	zw.Write(want[:chunkSize])
	zw.Close()
	m.put(0, packed.Bytes(), "deflate")
	zenc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	m.put(1, zenc.EncodeAll(want[chunkSize:2*chunkSize], nil), "zstd")
	m.put(2, s2.Encode(nil, want[2*chunkSize:]), "s2")
	got, err := io.ReadAll(&chunkReader{chunks: m})
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes (%v), want %d equal bytes", len(got), err, len(want))
	}
}

// A chunk that cannot be stored fails the export: the error reaches the
// writer, and Close returns it rather than hanging.
func TestChunks_a_chunk_that_cannot_be_stored_fails_the_file(t *testing.T) {
	m := newMemChunks()
	m.failAt = 1
	w := newChunkWriter(m)
	data := file(4 * chunkSize)
	var werr error
	for rest := data; len(rest) > 0 && werr == nil; {
		k := min(len(rest), 100_000)
		_, werr = w.Write(rest[:k])
		rest = rest[k:]
	}
	err := closeWithin(t, w)
	if err == nil || (werr != nil && !errors.Is(werr, err) && werr.Error() != err.Error()) {
		t.Fatalf("Close: %v (Write: %v), want the storing error", err, werr)
	}
	if len(m.data) != 1 {
		t.Errorf("%d chunks stored, want the 1 before the failure", len(m.data))
	}
}

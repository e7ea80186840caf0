package benchkit

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// MiB is a mebibyte, for printing byte counts.
const MiB = 1 << 20

// HeapPeak is the most heap seen while a HeapSampler ran, in bytes.
type HeapPeak struct {
	// Inuse is runtime.MemStats.HeapInuse: the spans holding objects, live
	// or not yet swept — what the heap occupies, garbage included.
	Inuse uint64
	// Alloc is runtime.MemStats.HeapAlloc: the bytes of objects allocated
	// and not yet freed (garbage until the next cycle frees it).
	Alloc uint64
	// Live is /gc/heap/live:bytes: the heap the last completed GC cycle
	// marked live, what the program actually holds.
	Live    uint64
	Samples int
}

// HeapSampler samples the heap of this process at an interval.
type HeapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	mu   sync.Mutex
	peak HeapPeak
}

// SampleHeap samples now and then every interval until Stop.
func SampleHeap(every time.Duration) *HeapSampler {
	h := &HeapSampler{stop: make(chan struct{})}
	h.sample()
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.sample()
			}
		}
	}()
	return h
}

// Stop ends the sampling (with a last sample) and returns the peaks.
func (h *HeapSampler) Stop() HeapPeak {
	close(h.stop)
	h.done.Wait()
	h.sample()
	return h.peak
}

func (h *HeapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.peak.Inuse = max(h.peak.Inuse, ms.HeapInuse)
	h.peak.Alloc = max(h.peak.Alloc, ms.HeapAlloc)
	if live[0].Value.Kind() == metrics.KindUint64 {
		h.peak.Live = max(h.peak.Live, live[0].Value.Uint64())
	}
	h.peak.Samples++
}

// HeapNow collects garbage and returns the heap's HeapInuse, HeapAlloc and
// live bytes right after: the resting heap to measure growth from.
func HeapNow() HeapPeak {
	runtime.GC()
	h := &HeapSampler{}
	h.sample()
	return h.peak
}

package review

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	"countersign/backend/internal/platform/db"
)

// queueCacheTTL is how long a tenant's queues are kept in memory: a change
// made on this app copy is seen at once, one made on another within this.
const queueCacheTTL = 5 * time.Second

type cachedQueues struct {
	queues     []Queue
	at         time.Time   // when they were read
	refreshing atomic.Bool // a read to replace them runs
}

// queues reads the tenant's queues (from the cache when fresh). Once half
// their time is gone, cached queues are read again off the caller's path,
// so that claims, which take the queues each time, seldom wait for them.
func (s *Service) queues(ctx context.Context, tenantID string) ([]Queue, error) {
	if v, ok := s.queueCache.Load(tenantID); ok {
		c := v.(*cachedQueues)
		if age := time.Since(c.at); age < queueCacheTTL {
			if age >= queueCacheTTL/2 && c.refreshing.CompareAndSwap(false, true) {
				go s.refreshQueues(db.WithTenant(db.Detached(context.WithoutCancel(ctx)), tenantID), tenantID, c)
			}
			return slices.Clone(c.queues), nil
		}
	}
	at := time.Now()
	qs, err := s.readQueues(ctx, tenantID)
	if err == nil {
		s.queueCache.Store(tenantID, &cachedQueues{queues: qs, at: at})
	}
	return slices.Clone(qs), err
}

// refreshQueues replaces cached queues c with the tenant's queues read now,
// unless c left the cache meanwhile (a change made on this app copy).
func (s *Service) refreshQueues(ctx context.Context, tenantID string, c *cachedQueues) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	at := time.Now()
	qs, err := s.readQueues(ctx, tenantID)
	if err != nil {
		c.refreshing.Store(false)
		return
	}
	s.queueCache.CompareAndSwap(tenantID, c, &cachedQueues{queues: qs, at: at})
}

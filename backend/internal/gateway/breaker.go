package gateway

import "context"

// tripBreaker opens the agent's breaker, counted from the reset the batch
// read, with the count that tripped it (agents raises the alert).
func (s *Service) tripBreaker(ctx context.Context, b *batch) error {
	return s.agents.Trip(ctx, b.agent, *b.trip)
}

import { describe, expect, it } from 'vitest';
import { filtersFromParams, proposalQueryFor, withFilter } from './filters';

describe('proposal filters', () => {
  it('ignores values the API would refuse rather than sending them', () => {
    const f = filtersFromParams(new URLSearchParams('status=bogus&route=sideways&flag=nope&since=yesterday&offset=-5&object=%20deals%20'));
    expect(f).toEqual({ object: 'deals', offset: 0 });
  });

  it('sends local date-times as instants and always one page of 50', () => {
    const q = proposalQueryFor(filtersFromParams(new URLSearchParams('since=2026-03-05T09:30&offset=100')));
    expect(q).toMatchObject({ since: new Date('2026-03-05T09:30').toISOString(), until: undefined, limit: 50, offset: 100 });
  });

  it('goes back to the first page when a filter changes, and drops empty ones', () => {
    const next = withFilter(new URLSearchParams('route=review&offset=50&object=deals'), 'object', '');
    expect(next.toString()).toBe('route=review');
  });
});

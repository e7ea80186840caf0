import { describe, expect, it } from 'vitest';
import { catalogPath, fieldQueryFor, filtersFromParams, withFilter, withOffset, withSort } from './filters';

const parse = (qs: string) => filtersFromParams(new URLSearchParams(qs));

describe('catalog filters in the URL', () => {
  it('turns a URL into the GET /fields query, one page of 100', () => {
    expect(fieldQueryFor(parse('connection_id=c1&sensitivity=high&needs_decision=true&q=%20stage%20&offset=300&sort=mode'))).toEqual({
      connection_id: 'c1',
      object: undefined,
      sensitivity: 'high',
      mode: undefined,
      tag: undefined,
      crm_sensitivity: undefined,
      needs_decision: true,
      archived: undefined,
      q: 'stage',
      sort: 'mode',
      limit: 100,
      offset: 300,
    });
  });

  it('drops values the API would refuse instead of sending them', () => {
    const f = parse('sensitivity=extreme&mode=yolo&tag=vip&sort=random&offset=-5&needs_decision=yes');
    expect(f).toMatchObject({ sensitivity: undefined, mode: undefined, tag: undefined, sort: 'object', offset: 0, needs_decision: false });
  });

  it('goes back to the first page when a filter or the sort changes, but not when paging', () => {
    const params = new URLSearchParams('mode=review&offset=200&field=f1');
    expect(withFilter(params, 'tag', 'pii').toString()).toBe('mode=review&field=f1&tag=pii');
    expect(withFilter(params, 'mode', '').toString()).toBe('field=f1');
    expect(withFilter(params, 'archived', false).toString()).toBe('mode=review&field=f1');
    expect(withSort(params, 'sensitivity').toString()).toBe('mode=review&field=f1&sort=sensitivity');
    expect(withOffset(params, 300).toString()).toBe('mode=review&offset=300&field=f1');
    expect(withOffset(params, 0).toString()).toBe('mode=review&field=f1');
  });

  it('links to a connection’s undecided fields', () => {
    expect(catalogPath('c 1', true)).toBe('/fields?connection_id=c+1&needs_decision=true');
  });
});

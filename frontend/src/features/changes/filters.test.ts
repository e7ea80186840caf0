import { describe, expect, it } from 'vitest';
import { apiFilterFor, changeLogPath, filtersFromParams } from './filters';

describe('change log filters', () => {
  it('ignores values the API would refuse rather than sending them', () => {
    const f = filtersFromParams(new URLSearchParams('actor_kind=robot&since=yesterday&record_id=%205001%20&agent_id='));
    expect(JSON.parse(JSON.stringify(f))).toEqual({ record_id: '5001' });
  });

  it('sends local date-times as instants', () => {
    const f = apiFilterFor(filtersFromParams(new URLSearchParams('since=2026-03-05T09:30&actor_kind=human')));
    expect(f).toMatchObject({ since: new Date('2026-03-05T09:30').toISOString(), until: undefined, actor_kind: 'human' });
  });

  it('links to one record’s field', () => {
    expect(changeLogPath('123', 'dealstage')).toBe('/changelog?record_id=123&field=dealstage');
    expect(filtersFromParams(new URLSearchParams(changeLogPath('123', 'dealstage').split('?')[1]))).toMatchObject({ record_id: '123', field: 'dealstage' });
  });
});

import { describe, expect, it } from 'vitest';
import { formatShortDateTime } from '../../components/format';
import { apiFilterFor, changeLogPath, describeRollbackFilter, filtersFromParams } from './filters';

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

  it('says what a bulk rollback targets', () => {
    const name = (id: string) => (id === 'a1' ? 'Closer' : undefined);
    expect(describeRollbackFilter({ agent_id: 'a1', field: 'dealstage' }, name)).toBe('Agent Closer · field dealstage');
    expect(describeRollbackFilter({ agent_id: 'a9' }, name)).toBe('Agent a9');
    expect(describeRollbackFilter({ object: 'deals', record_id: '5001', since: '2026-03-05T09:00:00Z' }, name)).toBe(
      `Record deals / 5001 · since ${formatShortDateTime('2026-03-05T09:00:00Z')}`,
    );
    expect(describeRollbackFilter({ batch_id: 'b7', until: '2026-03-05T09:00:00Z' }, name)).toBe(`Batch b7 · until ${formatShortDateTime('2026-03-05T09:00:00Z')}`);
    expect(describeRollbackFilter({}, name)).toBe('Every change');
  });
});

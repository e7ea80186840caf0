import { describe, expect, it } from 'vitest';
import { byRoute, dayBars } from './activity';

describe('dayBars', () => {
  it('gives 14 UTC days ending today, zeros included, routes stacked in a fixed order', () => {
    const bars = dayBars(
      [
        { day: '2026-03-05', route: 'blocked', count: 2 },
        { day: '2026-03-05', route: 'review', count: 5 },
        { day: '2026-02-20', route: 'auto', count: 1 },
      ],
      new Date('2026-03-05T23:30:00Z'),
    );
    expect(bars).toHaveLength(14);
    expect(bars[0].day).toBe('2026-02-20');
    expect(bars[13]).toEqual({
      day: '2026-03-05',
      total: 7,
      segments: [
        { route: 'auto', count: 0 },
        { route: 'review', count: 5 },
        { route: 'two_person', count: 0 },
        { route: 'blocked', count: 2 },
      ],
    });
    expect(bars[0].total).toBe(1);
    expect(bars.slice(1, 13).every((b) => b.total === 0)).toBe(true);
  });
});

describe('byRoute', () => {
  it('groups statuses under their route, blocked first', () => {
    expect(
      byRoute([
        { route: 'review', status: 'queued', count: 3 },
        { route: 'blocked', status: 'blocked', count: 4 },
        { route: 'review', status: 'superseded', count: 5 },
      ]),
    ).toEqual([
      { route: 'blocked', total: 4, statuses: [{ status: 'blocked', count: 4 }] },
      { route: 'review', total: 8, statuses: [{ status: 'superseded', count: 5 }, { status: 'queued', count: 3 }] },
    ]);
  });
});

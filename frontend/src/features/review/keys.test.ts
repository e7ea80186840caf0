import { describe, expect, it } from 'vitest';
import { actionFor } from './keys';

const press = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('review keys', () => {
  it('maps the triage keys and the arrows', () => {
    expect(['j', 'k', 'a', 'e', 'r', 's', 'x', 'u', '?', 'ArrowDown'].map((k) => actionFor(press(k), document.body, false))).toEqual([
      'next', 'prev', 'approve', 'edit', 'reject', 'skip', 'select', 'undo', 'help', 'next',
    ]);
    expect(actionFor(press('z'), document.body, false)).toBeNull();
  });

  it('leaves keys alone while typing, with a modifier, or under a dialog', () => {
    const box = document.createElement('input');
    expect(actionFor(press('a'), box, false)).toBeNull();
    expect(actionFor(press('a'), document.createElement('textarea'), false)).toBeNull();
    expect(actionFor(press('r', { ctrlKey: true }), document.body, false)).toBeNull();
    expect(actionFor(press('a', { metaKey: true }), document.body, false)).toBeNull();
    expect(actionFor(press('a'), document.body, true)).toBeNull();
  });
});

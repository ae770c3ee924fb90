// The checker is what every other reliability test trusts, so each of its rules is shown to fire
// on a hand-made history (a checker that always says "valid" would make the suite worthless).
import { describe, expect, it } from 'vitest';
import { check, classifyError, History, summarize, type ReadMessage, type SentMessage } from './checker';

const msg = (id: string, timestamp = 1, content = `content of ${id}`): SentMessage => ({
  id,
  role: 'user',
  content,
  timestamp,
});
const read = (m: SentMessage): ReadMessage => ({ ...m });

function history() {
  const h = new History();
  h.invoke('d1', 'append', 'c1', [msg('a', 1)]).ok();
  h.invoke('d2', 'append', 'c1', [msg('b', 2)]).ok();
  h.invoke('d2', 'append', 'c1', [msg('u', 3)]).unknown('PORTAL_UNAVAILABLE');
  h.invoke('d3', 'append', 'c1', [msg('f', 4)]).fail('VALIDATION');
  return h;
}

describe('reliability checker', () => {
  it('accepts a correct final read, with or without the unknown write', () => {
    const h = history();
    const withUnknown = check({ history: h.ops(), final: new Map([['c1', [read(msg('a', 1)), read(msg('b', 2)), read(msg('u', 3))]]]) });
    expect(withUnknown.valid).toBe(true);
    expect(withUnknown).toMatchObject({ operations: 4, ok: 2, failed: 1, unknown: 1, acknowledged: 2, present: 3 });
    const without = check({ history: h.ops(), final: new Map([['c1', [read(msg('a', 1)), read(msg('b', 2))]]]) });
    expect(without.valid).toBe(true);
  });

  it('flags a lost acknowledged message', () => {
    const r = check({ history: history().ops(), final: new Map([['c1', [read(msg('a', 1))]]]) });
    expect(r.valid).toBe(false);
    expect(r.lost).toEqual(['c1/b']);
  });

  it('flags duplicates, phantoms, failed writes that appear, and altered content', () => {
    const r = check({
      history: history().ops(),
      final: new Map([
        [
          'c1',
          [
            read(msg('a', 1)),
            read(msg('a', 1)),
            read(msg('b', 2, 'tampered')),
            read(msg('f', 4)),
            read(msg('ghost', 5)),
          ],
        ],
      ]),
    });
    expect(r.duplicates).toEqual(['c1/a']);
    expect(r.altered).toEqual(['c1/b']);
    expect(r.unexpected).toEqual(['c1/f']);
    expect(r.phantoms).toEqual(['c1/ghost']);
    expect(r.valid).toBe(false);
  });

  it('flags order violations by (timestamp, id) and messages in the wrong conversation', () => {
    const h = new History();
    h.invoke('d1', 'append', 'c1', [msg('x', 5), msg('y', 5), msg('z', 1)]).ok();
    h.invoke('d1', 'append', 'c2', [msg('w', 1)]).ok();
    const r = check({
      history: h.ops(),
      final: new Map([
        ['c1', [read(msg('y', 5)), read(msg('x', 5)), read(msg('z', 1)), read(msg('w', 1))]],
        ['c2', [read(msg('w', 1))]],
      ]),
    });
    expect(r.misordered.length).toBe(3);
    expect(r.misplaced).toEqual(['c1/w']);
  });

  it('flags a replica that did not converge, and pending operations', () => {
    const h = new History();
    h.invoke('d1', 'append', 'c1', [msg('a', 1)]).ok();
    h.invoke('d1', 'append', 'c1', [msg('b', 2)]); // never completed: a hung promise
    const final = new Map([['c1', [read(msg('a', 1))]]]);
    const r = check({
      history: h.ops(),
      final,
      replicas: new Map([
        ['same', new Map([['c1', [read(msg('a', 1))]]])],
        ['behind', new Map([['c1', []]])],
      ]),
    });
    expect(r.diverged).toEqual(['behind:c1']);
    expect(r.pending).toBe(1);
    expect(r.valid).toBe(false);
  });

  it('classifies only "nothing was written" errors as definite failures', () => {
    expect(classifyError({ code: 'VALIDATION' })).toEqual({ outcome: 'fail', code: 'VALIDATION' });
    expect(classifyError({ code: 'REVISION_CONFLICT' }).outcome).toBe('unknown');
    expect(classifyError(new TypeError('fetch failed'))).toEqual({ outcome: 'unknown', code: 'UNTYPED:TypeError' });
  });

  it('records run() outcomes and prints a one-line summary', async () => {
    const h = new History();
    await h.run('d1', 'append', 'c1', [msg('a')], async () => 1);
    await h.run('d1', 'append', 'c1', [msg('b')], async () => {
      throw Object.assign(new Error('x'), { code: 'TIMEOUT' });
    });
    const r = check({ history: h.ops(), final: new Map([['c1', [read(msg('a'))]]]) });
    expect(r.errorCodes).toEqual({ TIMEOUT: 1 });
    const line = summarize('unit', r, { retries: 3 });
    expect(line).toMatch(/^\[unit\] PASS operations=2 ok=1 fail=0 unknown=1 acknowledged=1 present=1 lost=0 duplicates=0 .* retries=3$/);
    expect(line).not.toContain('\n');
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareMessageVersions, mergeMessageLists, mergeMetadataKey, mergeMetadataStates, type Message, type MetadataState } from '../../src/index.js';

const m = (id: string, content: string, timestamp: number, updatedAt?: number): Message => ({
  id,
  role: 'assistant',
  content,
  timestamp,
  ...(updatedAt !== undefined ? { updatedAt } : {}),
});

describe('merge: messages', () => {
  it('is the union by id ordered by (timestamp, id)', () => {
    const a = [m('b', 'x', 2), m('a', 'y', 1)];
    const b = [m('c', 'z', 2), m('a', 'y', 1)];
    expect(mergeMessageLists(a, b).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });

  it('a later checkpoint of a streamed message wins (updatedAt), whatever the order', () => {
    const early = m('s', 'Hel', 10, 11);
    const late = m('s', 'Hello', 10, 12);
    expect(mergeMessageLists([early], [late])).toEqual([late]);
    expect(mergeMessageLists([late], [early])).toEqual([late]);
  });

  it('ties break on content length, then content, deterministically', () => {
    const short = m('s', 'ab', 10);
    const long = m('s', 'abc', 10);
    expect(compareMessageVersions(long, short)).toBeGreaterThan(0);
    const x = m('s', 'abd', 10);
    expect(mergeMessageLists([long], [x])).toEqual([x]);
    expect(mergeMessageLists([x], [long])).toEqual([x]);
  });

  it('is commutative, associative and idempotent (property)', () => {
    const arbMsg = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd'),
      role: fc.constant('user' as const),
      content: fc.string({ maxLength: 4 }),
      timestamp: fc.integer({ min: 0, max: 5 }),
      updatedAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    }).map((x) => {
      const out: Message = { id: x.id, role: x.role, content: x.content, timestamp: x.timestamp };
      if (x.updatedAt !== undefined) out.updatedAt = x.updatedAt;
      return out;
    });
    const list = fc.array(arbMsg, { maxLength: 6 });
    fc.assert(
      fc.property(list, list, list, (a, b, c) => {
        expect(mergeMessageLists(a, b)).toEqual(mergeMessageLists(b, a));
        expect(mergeMessageLists(mergeMessageLists(a, b), c)).toEqual(mergeMessageLists(a, mergeMessageLists(b, c)));
        expect(mergeMessageLists(a, a)).toEqual(mergeMessageLists(a));
      }),
      { numRuns: 300 },
    );
  });
});

describe('merge: metadata', () => {
  it('is last-writer-wins per key by clock', () => {
    const s: MetadataState = { values: { title: 'old', status: 'ended' }, clocks: { title: [5, 'a'], status: [20, 'b'] } };
    expect(mergeMetadataKey(s, 'title', 'new', [10, 'c'])).toBe(true);
    expect(mergeMetadataKey(s, 'status', 'active', [10, 'c'])).toBe(false);
    expect(s.values).toEqual({ title: 'new', status: 'ended' });
  });

  it('converges whatever the order (equal clocks break on the value)', () => {
    const a: MetadataState = { values: { k: 1, x: 'a' }, clocks: { k: [5, 'd'], x: [1, 'a'] } };
    const b: MetadataState = { values: { k: 2, y: 'b' }, clocks: { k: [5, 'd'], y: [1, 'b'] } };
    expect(mergeMetadataStates(a, b)).toEqual(mergeMetadataStates(b, a));
    expect(mergeMetadataStates(a, b).values).toEqual({ k: 2, x: 'a', y: 'b' });
  });
});

// Message and operation ids: valid RFC 9562 version-7 UUIDs that sort in creation order, also
// many within one millisecond, and carry the creation time.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/util/uuidv7.js';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('makes version-7, variant-10 UUIDs carrying the current time', () => {
    const before = Date.now();
    const id = uuidv7();
    expect(id).toMatch(FORMAT);
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('sorts in creation order, 20,000 in a tight loop (thousands per millisecond), all distinct', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) throw new Error(`out of order at ${i}: ${ids[i - 1]} >= ${ids[i]}`);
    for (const id of ids) expect(id).toMatch(FORMAT);
  });
});

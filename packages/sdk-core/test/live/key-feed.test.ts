/**
 * KeyFeed policy (the transports themselves are tested against the devnode in
 * watch.integration.test.ts): in 'auto', a subscription socket that keeps failing before it ever
 * delivered (Dart: no route, 404) is closed and polling carries on; one that delivers is kept.
 */
import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '@s5chat/s5';
import { KeyFeed } from '../../src/live/key-feed.js';

const pk = Uint8Array.of(0xed, ...new Uint8Array(32).fill(1));

function feed(behaviour: 'fails' | 'delivers') {
  let closed = 0;
  let reads = 0;
  const f = new KeyFeed({
    publicKey: pk,
    mode: 'auto',
    read: async () => {
      reads++;
      return null;
    },
    subscribe: (_pk, onEntry, { onError }) => {
      if (behaviour === 'fails') for (let i = 0; i < 3; i++) onError(new Error('404'));
      else onEntry({ revision: 1 } as RegistryEntry);
      return () => void closed++;
    },
    onEntry: () => undefined,
    onError: () => undefined,
    pollMinMs: 10,
    pollMaxMs: 20,
  });
  return { f, closed: () => closed, reads: () => reads };
}

describe('KeyFeed without P2P', () => {
  it('closes a subscription that only fails, and keeps polling', async () => {
    const { f, closed, reads } = feed('fails');
    await new Promise((r) => setTimeout(r, 100));
    expect(closed()).toBe(1);
    expect(reads()).toBeGreaterThan(2);
    f.close();
    expect(closed()).toBe(1); // not twice
  });

  it('keeps a subscription that delivers', async () => {
    const { f, closed } = feed('delivers');
    await new Promise((r) => setTimeout(r, 50));
    expect(closed()).toBe(0);
    f.close();
    expect(closed()).toBe(1);
  });
});

import type { Services } from '../services.js';
import { bytesToHex } from '../s5.js';

/**
 * Resolve when an entry for `pk` is stored, or after `ms` real-portal milliseconds (scaled): the
 * "poll the local DB every 10 ms up to 200 times" loop both lib5 and libs5-go run on a first read,
 * driven by the store's update event instead of polling.
 */
export async function waitForEntry(services: Services, pk: Uint8Array, ms: number): Promise<void> {
  const key = bytesToHex(pk);
  let unsubscribe: () => void = () => {};
  const appeared = new Promise<void>((resolve) => {
    unsubscribe = services.registry.onUpdate((u) => {
      if (bytesToHex(u.entry.publicKey) === key) resolve();
    });
  });
  try {
    await Promise.race([appeared, services.wait(ms)]);
  } finally {
    unsubscribe();
  }
}

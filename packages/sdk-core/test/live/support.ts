import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk, type CreateSdkOptions, type Sdk } from '../../src/index.js';

export function waitFor(predicate: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`${what} not met within ${ms} ms`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** Two "devices" with one identity (seed phrase) on one portal. */
export async function twoDevices(portalUrl: string, extra: Partial<CreateSdkOptions> = {}, extraB: Partial<CreateSdkOptions> = extra) {
  const seedPhrase = generateSeedPhrase();
  const a = await createSdk({ portalUrl, seedPhrase, deviceId: 'device-a', ...extra });
  const b = await createSdk({ portalUrl, seedPhrase, deviceId: 'device-b', ...extraB });
  return { a, b, seedPhrase, close: () => Promise.all([a.close(), b.close()]) };
}

export async function* slowTokens(n: number, everyMs: number): AsyncIterable<string> {
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    yield `t${i} `;
  }
}

export type { Sdk };

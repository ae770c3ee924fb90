// Bad input fuzzing (fast-check, > 10,000 cases): every malformed conversation, message, id or
// option is refused with a typed ValidationError (checked by `code`, never by message text), and
// the real devnode behind the SDK sees NO write: zero uploads, zero registry sets.
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk } from '../../src/index';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badConversationArb,
  badConversationIdArb,
  badMessageArb,
  validIdArb,
  validMessageArb,
  wrongTypeArb,
} from './generators';
import { runSeed } from './support';

const MAX_CONTENT = 1024; // a small configured limit keeps oversized cases cheap to generate
const limits = { maxContentLength: MAX_CONTENT };
const seed = runSeed('FUZZ_SEED', 'fuzz-input');

let node: Awaited<ReturnType<typeof startDevnode>>;
let sdk: Awaited<ReturnType<typeof createSdk>>;
let cases = 0;

beforeAll(async () => {
  node = await startDevnode({ port: 0 });
  sdk = await createSdk({
    portalUrl: node.url,
    seedPhrase: generateSeedPhrase(),
    deviceId: 'fuzzer',
    limits: { maxContentBytes: MAX_CONTENT },
  });
  node.resetStats();
});
afterAll(async () => {
  await sdk?.close();
  await node?.stop();
});

/** The call must reject with the typed ValidationError, listing at least one field. */
async function expectValidationError(call: () => Promise<unknown>, why: string): Promise<void> {
  cases++;
  let result: unknown;
  try {
    result = await call();
  } catch (err) {
    const e = err as { code?: unknown; issues?: unknown; shortMessage?: unknown };
    if (e?.code !== 'VALIDATION') {
      throw new Error(`${why}: expected code VALIDATION, got ${String(e?.code)} (${String(err)})`);
    }
    if (!Array.isArray(e.issues) || e.issues.length === 0) throw new Error(`${why}: ValidationError without issues`);
    for (const issue of e.issues as { path?: unknown; message?: unknown }[]) {
      if (typeof issue.path !== 'string' || typeof issue.message !== 'string' || issue.message === '') {
        throw new Error(`${why}: malformed issue ${JSON.stringify(issue)}`);
      }
    }
    if (typeof e.shortMessage !== 'string' || e.shortMessage === '') throw new Error(`${why}: no shortMessage`);
    return;
  }
  throw new Error(`${why}: accepted (resolved to ${JSON.stringify(result)?.slice(0, 200)})`);
}

const run = (numRuns: number) => ({ numRuns, seed, endOnFailure: true });

function expectNoWrites(): void {
  const s = node.stats();
  const writeRoutes = Object.entries(s.requests.byRoute).filter(([route]) => /^POST \/s5\/(upload|registry)/.test(route));
  expect({ uploads: s.uploads, registrySets: s.registry.sets, writeRoutes, blobs: s.blobs.count }).toEqual({
    uploads: 0,
    registrySets: 0,
    writeRoutes: [],
    blobs: 0,
  });
}

describe('fuzzing bad input into the SDK (typed ValidationError, nothing written)', () => {
  it('appendMessage with a malformed conversation id', async () => {
    await fc.assert(
      fc.asyncProperty(badConversationIdArb, validMessageArb, async (bad, m) => {
        await expectValidationError(() => sdk.storage.appendMessage(bad.value as string, m), `conversation id ${bad.why}`);
      }),
      run(2500),
    );
  }, 60_000);

  it('appendMessage with a malformed message', async () => {
    await fc.assert(
      fc.asyncProperty(validIdArb, badMessageArb(limits), async (id, bad) => {
        await expectValidationError(() => sdk.storage.appendMessage(id, bad.value as never), `message ${bad.why}`);
      }),
      run(3000),
    );
  }, 60_000);

  it('saveConversation with a malformed conversation (every onConflict mode)', async () => {
    await fc.assert(
      fc.asyncProperty(
        badConversationArb(limits),
        fc.constantFrom('merge' as const, 'overwrite' as const, undefined),
        async (bad, onConflict) => {
          await expectValidationError(
            () => sdk.storage.saveConversation(bad.value as never, onConflict ? { onConflict } : undefined),
            `conversation ${bad.why}`,
          );
        },
      ),
      run(2500),
    );
  }, 60_000);

  it('load, delete and updateMetadata with malformed ids; updateMetadata with malformed patches', async () => {
    await fc.assert(
      fc.asyncProperty(badConversationIdArb, async (bad) => {
        const id = bad.value as string;
        await expectValidationError(() => sdk.storage.loadConversation(id), `load ${bad.why}`);
        await expectValidationError(() => sdk.storage.deleteConversation(id), `delete ${bad.why}`);
        await expectValidationError(() => sdk.storage.updateMetadata(id, { title: 'x' }), `updateMetadata ${bad.why}`);
      }),
      run(1000),
    );
    const badPatch = fc.oneof(
      fc.array(fc.integer(), { maxLength: 3 }).map((value) => ({ why: 'array patch', value: value as unknown })),
      wrongTypeArb.filter((b) => b.value === null || typeof b.value !== 'object'),
      fc.constant({ why: 'oversized patch (9 KiB)', value: { blob: 'x'.repeat(9 * 1024) } as unknown }),
    );
    await fc.assert(
      fc.asyncProperty(validIdArb, badPatch, async (id, bad) => {
        await expectValidationError(() => sdk.storage.updateMetadata(id, bad.value as never), `patch ${bad.why}`);
      }),
      run(500),
    );
  }, 60_000);

  it('bad write options: unknown onConflict, fail without expectedRevision, negative revision', async () => {
    await fc.assert(
      fc.asyncProperty(
        validIdArb,
        fc.oneof(
          fc.string({ maxLength: 10 }).filter((s) => !['merge', 'fail', 'overwrite'].includes(s)).map((s) => ({ onConflict: s })),
          fc.constant({ onConflict: 'fail' }),
          fc.integer({ max: -1 }).map((n) => ({ expectedRevision: n })),
          fc.double({ noInteger: true, min: 0, max: 1e6, noNaN: true }).map((n) => ({ expectedRevision: n })),
        ),
        async (id, opts) => {
          await expectValidationError(
            () => sdk.storage.saveConversation({ id, messages: [] }, opts as never),
            `options ${JSON.stringify(opts)}`,
          );
        },
      ),
      run(500),
    );
  }, 60_000);

  it('listConversations with malformed paging options', async () => {
    const badLimit = fc.oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 1001 }),
      fc.double({ noInteger: true, noNaN: true, min: -1e6, max: 1e6 }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
      fc.string({ maxLength: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badLimit.map((limit) => ({ limit })),
          fc.oneof(fc.integer(), fc.constant(null), fc.string({ minLength: 2049, maxLength: 2100 })).map((cursor) => ({ cursor })),
        ),
        async (opts) => {
          await expectValidationError(() => sdk.storage.listConversations(opts as never), `list ${JSON.stringify(opts)?.slice(0, 60)}`);
        },
      ),
      run(500),
    );
  }, 60_000);

  it('createSdk with malformed options is refused before any request', async () => {
    const before = node.stats().requests.total;
    const seedPhrase = generateSeedPhrase();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant({ why: 'no identity', value: { portalUrl: node.url } as unknown }),
          fc.constant({ why: 'two identities', value: { portalUrl: node.url, seedPhrase, identity: {} } as unknown }),
          fc.string({ maxLength: 20 }).filter((u) => !/^https?:\/\//.test(u)).map((portalUrl) => ({ why: 'portalUrl not http(s)', value: { portalUrl, seedPhrase } as unknown })),
          fc.string({ maxLength: 6 }).filter((e) => e !== 'on' && e !== 'off').map((encryption) => ({ why: 'encryption', value: { portalUrl: node.url, seedPhrase, encryption } as unknown })),
          fc.integer({ max: 0 }).map((n) => ({ why: 'limits', value: { portalUrl: node.url, seedPhrase, limits: { maxContentBytes: n } } as unknown })),
          wrongTypeArb.filter((b) => b.value === null || typeof b.value !== 'object').map((b) => ({ why: `options ${b.why}`, value: b.value })),
        ),
        async (bad) => {
          await expectValidationError(() => createSdk(bad.value as never), `createSdk ${bad.why}`);
        },
      ),
      run(300),
    );
    expect(node.stats().requests.total).toBe(before);
  }, 60_000);

  it('content over the DEFAULT limit (256 KiB) is refused too', async () => {
    const node2 = await startDevnode({ port: 0 });
    const sdk2 = await createSdk({ portalUrl: node2.url, seedPhrase: generateSeedPhrase(), deviceId: 'fuzzer-default-limits' });
    try {
      const big = 'é'.repeat(128 * 1024 + 1); // 2 bytes each in UTF-8: one byte over 256 KiB
      await expectValidationError(() => sdk2.storage.appendMessage('big', { role: 'user', content: big }), 'default limit (UTF-8 bytes)');
      await expectValidationError(
        () => sdk2.storage.saveConversation({ id: 'big', messages: [{ role: 'user', content: big, timestamp: 1 }] }),
        'default limit in a save',
      );
      expect(node2.stats().uploads).toBe(0);
      expect(node2.stats().registry.sets).toBe(0);
    } finally {
      await sdk2.close();
      await node2.stop();
    }
  });

  it('dot-segment ids ("." and "..") are refused as conversation and message ids', async () => {
    // Its own node: if this guarantee breaks, the writes it causes must not mask the zero-write check below.
    const node3 = await startDevnode({ port: 0 });
    const sdk3 = await createSdk({ portalUrl: node3.url, seedPhrase: generateSeedPhrase(), deviceId: 'fuzzer-dots' });
    try {
      for (const id of ['.', '..']) {
        await expectValidationError(() => sdk3.storage.appendMessage(id, { role: 'user', content: 'x' }), `conversation id "${id}"`);
        await expectValidationError(
          () => sdk3.storage.appendMessage('dots', { id, role: 'user', content: 'x', timestamp: 1 }),
          `message id "${id}"`,
        );
      }
      expect(node3.stats().registry.sets).toBe(0);
    } finally {
      await sdk3.close();
      await node3.stop();
    }
  });

  it('after all of it: more than 10,000 cases, and not one network write', async () => {
    expect(cases).toBeGreaterThanOrEqual(10_000);
    await sdk.storage.flush();
    expect(sdk.storage.pendingWrites()).toBe(0);
    expectNoWrites();
    console.log(`[fuzz-input] cases=${cases} uploads=0 registrySets=0 seed=${seed}`);
    // Control: the same SDK and node do write when the input is valid, so the zeros above are real.
    await sdk.storage.appendMessage('control', { role: 'user', content: 'valid input is written' });
    expect(node.stats().uploads).toBeGreaterThan(0);
    expect(node.stats().registry.setsAccepted).toBeGreaterThan(0);
  });
});

// Chaos for every kind of write (issue 12): 6 devices × 15 writes of one identity, each with its own skewed
// clock (−1 h … +1 h), run appends, message edits and deletes, renames, per-device metadata keys,
// optimistic saves and conversation deletes against a devnode on the Dart portal profile that
// resets connections (before and after handling), fails requests, serves stale reads and spurious
// conflicts. Every write is recorded (invoke/complete/outcome) and the final state, read by a fresh
// device, is judged per key (key-checker.ts): registers (titles, metadata keys, message contents)
// and memberships (messages under message and conversation deletes).
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase, seededRandom } from '@s5chat/s5';
import { afterAll, describe, expect, it } from 'vitest';
import { createSdk } from '../../src/index';
import { errorCode } from './checker';
import { KeyHistory, checkMembership, checkRegisters, type MembershipRecord, type Outcome } from './key-checker';
import { runSeed } from './support';

type Sdk = Awaited<ReturnType<typeof createSdk>>;
const SEED = runSeed('CHAOS_WRITES_SEED', 'chaos-writes');
const DEVICES = 6;
const OPS_PER_DEVICE = 15;
const SKEWS = [-3_600_000, -100, 0, 250, 5_000, 3_600_000];
const FAULTS = { errorRate: 0.05, resetRate: 0.1, conflictRate: 0.05, staleReadRate: 0.1, latencyMs: 1, jitterMs: 5 };
const CONVS = ['cw-a', 'cw-b'] as const;
const DEL_CONV = 'cw-del';
/** Codes that by contract mean "not applied". REVISION_CONFLICT included: a write is applied at most once, so a give-up or an optimistic refusal applied nothing. */
const NOT_APPLIED = new Set(['VALIDATION', 'REVISION_CONFLICT', 'MESSAGE_NOT_FOUND', 'CONVERSATION_DELETED', 'STALE_SNAPSHOT']);

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

describe('chaos: every kind of write, per-key verdict', () => {
  it('6 devices × 15 mixed writes with resets (before/after handling), stale reads, clock skew: no key violates its rule', async () => {
    const node = await startDevnode({ port: 0, profile: 'dart', timeScale: 0.005, faults: { seed: SEED } });
    cleanup.push(() => node.stop());
    const seedPhrase = generateSeedPhrase();
    const open = (device: number, now?: () => number) =>
      createSdk({
        portalUrl: node.url,
        seedPhrase,
        deviceId: `dev${device}`,
        outbox: false,
        retry: { baseMs: 20 },
        storage: { crossTab: false, ...(now ? { now } : {}), compaction: { fanout: 4, maxSegments: 8, idleMs: 50 } },
      });
    const first = await open(99);
    await first.storage.saveConversation({ id: DEL_CONV, metadata: {} });
    await first.close();
    node.setFaults(FAULTS);

    const h = new KeyHistory();
    const items = new Map<string, MembershipRecord>();
    const itemConv = new Map<string, string>();
    const convDeletes: MembershipRecord['deletes'] = [];
    const codes = new Map<string, number>();
    const record = async (key: string | null, value: unknown, fn: () => Promise<unknown>): Promise<{ outcome: Outcome; invoke: number; complete: number }> => {
      const invoke = h.tick();
      let outcome: Outcome = 'ok';
      try {
        await fn();
      } catch (e) {
        const code = errorCode(e);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        outcome = NOT_APPLIED.has(code) ? 'fail' : 'unknown';
      }
      const complete = h.tick();
      if (key !== null) h.add({ key, value, invoke, complete, outcome });
      return { outcome, invoke, complete };
    };

    const sdks: Sdk[] = await Promise.all(Array.from({ length: DEVICES }, (_, d) => open(d, () => Date.now() + SKEWS[d]!)));
    cleanup.push(async () => void (await Promise.all(sdks.map((s) => s.close().catch(() => undefined)))));
    await Promise.all(
      sdks.map(async (sdk, d) => {
        const random = seededRandom(SEED * 31 + d);
        const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
        const mine: string[] = []; // acknowledged, not deleted by me
        for (let n = 0; n < OPS_PER_DEVICE; n++) {
          const r = random();
          const conv = pick(CONVS);
          const tag = `d${d}-${n}`;
          if (r < 0.35) {
            const c = random() < 0.2 ? DEL_CONV : conv;
            const rec: MembershipRecord = { id: tag, add: { invoke: 0, complete: 0, outcome: 'unknown' }, deletes: c === DEL_CONV ? convDeletes : [] };
            items.set(tag, rec);
            itemConv.set(tag, c);
            rec.add = await record(c === DEL_CONV ? null : `msg:${tag}`, tag, () =>
              sdk.storage.appendMessage(c, { id: tag, role: 'user', content: tag, timestamp: 1_750_000_000_000 + n }),
            );
            if (rec.add.outcome === 'ok' && c !== DEL_CONV) mine.push(tag);
          } else if (r < 0.47 && mine.length) {
            const id = pick(mine);
            const content = `${id}@${tag}`;
            await record(`msg:${id}`, content, () => sdk.storage.editMessage(itemConv.get(id)!, id, { content }));
          } else if (r < 0.55 && mine.length) {
            const id = pick(mine);
            mine.splice(mine.indexOf(id), 1);
            const del = await record(null, null, () => sdk.storage.deleteMessage(itemConv.get(id)!, id));
            items.get(id)!.deletes.push(del);
            // a deleted message's content is no longer a register to judge
            for (const w of h.writes) if (w.key === `msg:${id}`) w.key = `gone:${id}`;
          } else if (r < 0.67) {
            await record(`title:${conv}`, tag, () => sdk.storage.updateMetadata(conv, { title: tag }));
          } else if (r < 0.77) {
            await record(`meta:${conv}:k${d}`, n, () => sdk.storage.updateMetadata(conv, { [`k${d}`]: n }));
          } else if (r < 0.9) {
            // optimistic save of a loaded snapshot: only this device's key changes
            let snap: Awaited<ReturnType<Sdk['storage']['loadConversation']>> = null;
            try {
              snap = await sdk.storage.loadConversation(conv);
            } catch {
              continue;
            }
            if (!snap) continue;
            const s = snap;
            await record(`meta:${conv}:opt${d}`, n, () =>
              sdk.storage.saveConversation({ ...s, metadata: { ...s.metadata, [`opt${d}`]: n } }, { onConflict: 'fail', expectedRevision: s.revision }),
            );
          } else if (r < 0.95) {
            convDeletes.push(await record(null, null, () => sdk.storage.deleteConversation(DEL_CONV)));
          } else {
            await sdk.storage.loadConversation(conv).catch(() => undefined);
          }
        }
        await sdk.storage.flush();
      }),
    );
    node.setFaults({ errorRate: 0, resetRate: 0, conflictRate: 0, staleReadRate: 0, latencyMs: 0, jitterMs: 0 });

    const reader = await open(100);
    cleanup.push(() => reader.close());
    const finals = new Map<string, Awaited<ReturnType<Sdk['loadConversation']>>>();
    for (const c of [...CONVS, DEL_CONV]) finals.set(c, await reader.loadConversation(c));
    const contentOf = (id: string) => finals.get(itemConv.get(id)!)?.messages.find((m) => m.id === id)?.content;
    const final = (key: string): unknown => {
      const [kind, a, b] = key.split(':');
      if (kind === 'msg') return contentOf(a!);
      if (kind === 'title') return finals.get(a!)?.metadata.title;
      if (kind === 'meta') return finals.get(a!)?.metadata[b!];
      return undefined;
    };
    const violations = [
      ...checkRegisters(h.writes, final, (k) => !k.startsWith('gone:')),
      ...checkMembership([...items.values()], (id) => contentOf(id) !== undefined),
    ];
    // every device converged on the same state
    for (const sdk of sdks) {
      for (const c of CONVS) expect((await sdk.loadConversation(c))?.revision).toBe(finals.get(c)?.revision);
    }
    const ops = h.writes.length + [...items.values()].filter((i) => i.deletes !== convDeletes).length;
    const summary = {
      seed: SEED,
      profile: node.profile,
      writes: h.writes.length,
      acked: h.writes.filter((w) => w.outcome === 'ok').length,
      unknown: h.writes.filter((w) => w.outcome === 'unknown').length,
      failed: h.writes.filter((w) => w.outcome === 'fail').length,
      messages: items.size,
      conversationDeletes: convDeletes.length,
      violations: violations.length,
      resets: node.stats().faults.resets,
      staleReads: node.stats().faults.staleReads,
      codes: Object.fromEntries(codes),
      ops,
    };
    console.log(`[chaos-writes] ${JSON.stringify(summary)}`);
    expect(violations, JSON.stringify(violations.slice(0, 5))).toEqual([]);
    expect(summary.acked).toBeGreaterThan(summary.writes / 2);
    expect(node.stats().faults.resets).toBeGreaterThan(0);
  }, 120_000);
});

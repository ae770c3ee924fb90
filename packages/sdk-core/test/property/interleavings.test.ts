/**
 * fast-check scheduler: several StorageManager instances (devices) share one in-memory node whose
 * every call is split into "arrives at the node" and "answer comes back", each ordered by the
 * scheduler (the node also answers 20 % of registry reads stale and rejects 5 % of sets spuriously,
 * seeded). Random appends, stale-snapshot saves, metadata updates and deletes race; after the
 * dust settles, every acknowledged message must be present exactly once (unless a later delete was
 * acknowledged), nothing unknown may appear, and all devices must see the same state.
 * Failures shrink to a minimal interleaving and replay from the printed seed.
 * Runs: FC_NUM_RUNS (default 1000).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryBackend, type StorageManager } from '../../src/index.js';
import { manager } from '../support/helpers.js';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);
const CONV = 'prop';

type Action =
  | { kind: 'append'; wait: boolean }
  | { kind: 'saveStale'; wait: boolean }
  | { kind: 'meta'; wait: boolean }
  | { kind: 'delete'; wait: boolean };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), wait: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('saveStale' as const), wait: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('meta' as const), wait: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), wait: fc.boolean() }) },
);

describe('property: random interleavings of several devices', () => {
  it('never loses an acknowledged message, never duplicates, and converges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.array(actionArb, { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 3 }), async (s, plans) => {
        let scheduled = true;
        const backend = new MemoryBackend({
          // stale registry reads and spurious conflicts too (seeded: replayable with the run)
          faults: { seed: 7, staleReadRate: 0.2, conflictRate: 0.05 },
          schedule: async (call, execute) => {
            if (!scheduled) return execute();
            await s.schedule(Promise.resolve(), `${call.name} arrives`);
            let out: { ok: true; v: ReturnType<typeof execute> } | { ok: false; e: unknown };
            try {
              out = { ok: true, v: execute() };
            } catch (e) {
              out = { ok: false, e };
            }
            await s.schedule(Promise.resolve(), `${call.name} answers`);
            if (!out.ok) throw out.e;
            return out.v;
          },
        });
        const devices: StorageManager[] = plans.map((_, d) =>
          manager(backend, { deviceId: `d${d}`, encryption: 'off', compaction: { fanout: 2, maxSegments: 3, idleMs: 60_000 }, now: () => 1_000 }),
        );
        const sent = new Map<string, string>();
        const acked: { id: string; revision: number }[] = [];
        let lastDelete = 0;
        const runDevice = async (sm: StorageManager, plan: Action[], d: number) => {
          const inFlight: Promise<unknown>[] = [];
          for (const [i, a] of plan.entries()) {
            let p: Promise<unknown>;
            if (a.kind === 'append') {
              const id = `d${d}-${i}`;
              sent.set(id, `from ${d} #${i}`);
              p = sm.appendMessage(CONV, { id, role: 'user', content: `from ${d} #${i}`, timestamp: 1_000 + i }).then((r) => acked.push({ id, revision: r.revision }));
            } else if (a.kind === 'saveStale') {
              p = sm.loadConversation(CONV).then((c) => (c ? sm.saveConversation({ ...c, metadata: { ...c.metadata, title: `t${d}.${i}` } }) : null));
            } else if (a.kind === 'meta') {
              p = sm.updateMetadata(CONV, { [`k${d}`]: i });
            } else {
              p = sm.deleteConversation(CONV).then((r) => (lastDelete = Math.max(lastDelete, r.revision)));
            }
            const settled = p.catch(() => undefined); // unacknowledged: judged by nothing
            if (a.wait) await settled;
            else inFlight.push(settled);
          }
          await Promise.all(inFlight);
        };
        const all = Promise.all(devices.map((sm, d) => runDevice(sm, plans[d]!, d)));
        await s.waitIdle();
        await all;
        const flushed = Promise.all(devices.map((sm) => sm.flush()));
        await s.waitIdle();
        await flushed;
        scheduled = false;
        backend.setFaults({ staleReadRate: 0, conflictRate: 0 });

        const fresh = manager(backend, { encryption: 'off' });
        const final = await fresh.loadConversation(CONV);
        const ids = final?.messages.map((m) => m.id) ?? [];
        expect(new Set(ids).size).toBe(ids.length); // no duplicates
        for (const m of final?.messages ?? []) expect(m.content).toBe(sent.get(m.id)); // nothing unknown
        for (const a of acked) if (a.revision > lastDelete) expect(ids, `${a.id}@${a.revision} lost`).toContain(a.id);
        for (const sm of devices) expect(await sm.loadConversation(CONV)).toEqual(final); // converged
        // the conversation list agrees with the conversation
        const listed = (await fresh.listConversations()).items.map((i) => i.id);
        expect(listed).toEqual(final ? [CONV] : []);
      }),
      { numRuns: NUM_RUNS, timeout: 20_000 },
    );
  }, 600_000);
});

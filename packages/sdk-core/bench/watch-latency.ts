/**
 * Watch latency: commit on device A → event on device B (same identity, one devnode), with the
 * devnode's latency fault at 50 ms per request, over P2P and over polling. Prints p50/p99 (never
 * asserts). Run from packages/sdk-core:
 *
 *   pnpm exec tsx --tsconfig bench/tsconfig.json bench/watch-latency.ts [--commits 60] [--gap 150] [--profile dart]
 *
 * `--profile dart` runs on the Dart HEAD profile with its real registry read timing (timeScale 1).
 *
 * "Commit" = A's appendMessage resolved (the write is durable); the "from send" column starts at
 * the call instead. Commits are sequential with a gap, like a chat; B's reads coalesce when they
 * fall behind (a checkpointed stream can skip versions, never reorder them).
 */
import { parseArgs } from 'node:util';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk, type LiveOptions } from '../src/index';

const { values } = parseArgs({
  options: {
    commits: { type: 'string', default: '60' },
    gap: { type: 'string', default: '150' },
    latency: { type: 'string', default: '50' },
    profile: { type: 'string', default: 'devnode' },
  },
});
const COMMITS = Number(values.commits);
const GAP_MS = Number(values.gap);
const LATENCY_MS = Number(values.latency);
const PROFILE = values.profile as 'devnode' | 'dart';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function measure(label: string, live: LiveOptions) {
  const node = await startDevnode({ port: 0, profile: PROFILE, faults: { latencyMs: LATENCY_MS } });
  const seedPhrase = generateSeedPhrase();
  const a = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'bench-a', live, outbox: false });
  const b = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'bench-b', live, outbox: false });
  const conv = `latency-${label.replace(/[^A-Za-z0-9]+/g, "-")}`;
  const seenAt = new Map<string, number>();
  try {
    await a.storage.appendMessage(conv, { id: 'warm', role: 'user', content: 'warm-up' });
    b.storage.watch(conv, (e) => {
      const now = performance.now();
      for (const m of e.messages) if (!seenAt.has(m.id)) seenAt.set(m.id, now);
    });
    while (!seenAt.has('warm')) await new Promise((r) => setTimeout(r, 10));
    const sentAt = new Map<string, number>();
    const ackAt = new Map<string, number>();
    for (let i = 0; i < COMMITS; i++) {
      const id = `m${i}`;
      sentAt.set(id, performance.now());
      await a.storage.appendMessage(conv, { id, role: 'user', content: `message ${i}` });
      ackAt.set(id, performance.now());
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const deadline = performance.now() + 60_000;
    while ([...ackAt.keys()].some((id) => !seenAt.has(id)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const ids = [...ackAt.keys()].filter((id) => seenAt.has(id));
    const fromAck = ids.map((id) => seenAt.get(id)! - ackAt.get(id)!);
    const fromSend = ids.map((id) => seenAt.get(id)! - sentAt.get(id)!);
    const row = {
      transport: label,
      commits: COMMITS,
      delivered: ids.length,
      p50_ms: Math.round(pct(fromAck, 50)),
      p99_ms: Math.round(pct(fromAck, 99)),
      p50_from_send_ms: Math.round(pct(fromSend, 50)),
      p99_from_send_ms: Math.round(pct(fromSend, 99)),
      ack_p50_ms: Math.round(pct(ids.map((id) => ackAt.get(id)! - sentAt.get(id)!), 50)),
    };
    return row;
  } finally {
    await Promise.all([a.close(), b.close()]);
    await node.stop();
  }
}

const rows = [];
rows.push(await measure('p2p', { transport: 'p2p' }));
rows.push(await measure('poll (default 1 s → 15 s)', { transport: 'poll' }));
rows.push(await measure('poll (250 ms min)', { transport: 'poll', pollMinMs: 250 }));
console.log(`watch latency, ${PROFILE} profile, ${LATENCY_MS} ms per request, ${COMMITS} sequential commits ${GAP_MS} ms apart`);
console.table(rows);

import type { ChatClient, Side } from '../clients';
import { describeError } from '../lib/fire';
import { conversationId, makeMessage, makeMessages } from '../lib/messages';
import { percentile, round } from '../lib/percentile';
import { num, ratiosVsBaselines, ratioOf, type ClientExtras, type Metrics, type Scenario, type ScenarioContext, type Target } from './types';

/**
 * 9. watch — device A commits, device B (same identity, its own instance) learns of it: the time
 * from A's append resolving (durable) to B's event. Commits are sequential, `gapMs` apart, like a
 * chat. s5chat is measured twice, over the portal's P2P push and over polling (forced with
 * `live.transport`, polling at `pollMs`). The field's SDKs have no watch: the baselines' B reloads
 * the whole conversation every `pollMs` and diffs ids (what an app on them does), so their P2P
 * row is "not applicable". base+cache reloads through the reference client's 60 s registry cache,
 * so it sees nothing new until that expires: its misses are the figure, not a fault of the bench.
 */
export const watch: Scenario = {
  name: 'watch',
  title: (s) =>
    `commit on device A → event on device B, ${s.watch.commits} commits ${s.watch.gapMs} ms apart; s5chat over P2P and over polling (${s.watch.pollMs} ms), baselines reload every ${s.watch.pollMs} ms`,
  async run(ctx, side) {
    const { commits, pollMs } = ctx.settings.watch;
    if (side === 's5chat') {
      const p2p = await oneRun(ctx, side, 'p2p', { live: { transport: 'p2p' } });
      const poll = await oneRun(ctx, side, 'poll', { live: { transport: 'poll', pollMinMs: pollMs } });
      return { commits, pollMs, ...figures('p2p', p2p), ...figures('poll', poll), ackP50Ms: p2p.ackP50Ms };
    }
    const reload = await oneRun(ctx, side, 'reload', { reloadMs: pollMs });
    return {
      commits,
      pollMs,
      ...figures('p2p', null),
      ...figures('poll', reload),
      ackP50Ms: reload.ackP50Ms,
      p2p: 'not applicable: no push in the field SDKs; B reloads the whole conversation',
    };
  },
  compare(r) {
    const commits = num(r.s5chat, 'commits');
    const all = (name: string, key: string): Target => {
      const value = num(r.s5chat, key);
      return { name, value, met: value === null || commits === null ? null : value === commits };
    };
    return {
      ratio: {
        ...ratiosVsBaselines(r, 'pollP50X', (s, b) => ratioOf(num(b, 'pollEventP50Ms'), num(s, 'pollEventP50Ms'))),
        ...ratiosVsBaselines(r, 'p2pVsReloadP50X', (s, b) => ratioOf(num(b, 'pollEventP50Ms'), num(s, 'p2pEventP50Ms'))),
      },
      targets: [all('s5chat P2P delivers every commit', 'p2pDelivered'), all('s5chat polling delivers every commit', 'pollDelivered')],
    };
  },
};

interface RunFigures {
  delivered: number;
  failed: number;
  eventP50Ms: number | null;
  eventP99Ms: number | null;
  eventMaxMs: number | null;
  ackP50Ms: number | null;
}

function figures(prefix: string, f: RunFigures | null): Metrics {
  return {
    [`${prefix}Delivered`]: f?.delivered ?? null,
    [`${prefix}EventP50Ms`]: f?.eventP50Ms ?? null,
    [`${prefix}EventP99Ms`]: f?.eventP99Ms ?? null,
    [`${prefix}EventMaxMs`]: f?.eventMaxMs ?? null,
    ...(f && f.failed > 0 ? { [`${prefix}CommitsFailed`]: f.failed } : {}),
  };
}

async function oneRun(ctx: ScenarioContext, side: Side, label: string, extra: ClientExtras): Promise<RunFigures> {
  const { commits, gapMs, pollMs } = ctx.settings.watch;
  const conv = conversationId('watch', `${side}-${label}`);
  const messages = makeMessages(`watch-${label}`, 0, commits, ctx.settings.messageBytes);
  const warm = makeMessage(`watch-${label}-warm`, 0, ctx.settings.messageBytes);
  const a = await ctx.open(side, 'watch-a', extra);
  let b: ChatClient | undefined;
  let stop: (() => void) | undefined;
  const seenAt = new Map<string, number>();
  try {
    b = await ctx.open(side, 'watch-b', extra);
    await a.append(conv, warm);
    stop = b.watch(conv, (ids) => {
      const now = performance.now();
      for (const id of ids) if (!seenAt.has(id)) seenAt.set(id, now);
    });
    // B has caught up with the conversation before the first measured commit.
    if (!(await waitFor(() => seenAt.has(warm.id), 15_000))) throw new Error(`watch/${side}/${label}: B never saw the warm-up message`);
    ctx.progress.phase(`watch/${side}: ${commits} commits over ${label}`);
    const ackAt = new Map<string, number>();
    const acks: number[] = [];
    let failed = 0;
    for (let i = 0; i < commits; i++) {
      const m = messages[i]!;
      const t0 = performance.now();
      try {
        await a.append(conv, m);
        ackAt.set(m.id, performance.now());
        acks.push(performance.now() - t0);
      } catch (err) {
        failed++;
        ctx.progress.note(`[bench] watch/${side}/${label}: commit failed: ${describeError(err)}`);
      }
      ctx.progress.tick(i + 1, commits);
      await sleep(gapMs);
    }
    // Bounded wait for the last events: three polling intervals (at least 3 s).
    await waitFor(() => [...ackAt.keys()].every((id) => seenAt.has(id)), Math.max(3_000, 3 * pollMs));
    // An event can precede the ack when B reads the new head before A's set returns; that counts as 0.
    const latencies = [...ackAt].filter(([id]) => seenAt.has(id)).map(([id, at]) => Math.max(0, seenAt.get(id)! - at));
    const pct = (p: number) => (latencies.length ? round(percentile(latencies, p), 0) : null);
    return {
      delivered: latencies.length,
      failed,
      eventP50Ms: pct(50),
      eventP99Ms: pct(99),
      eventMaxMs: pct(100),
      ackP50Ms: acks.length ? round(percentile(acks, 50), 0) : null,
    };
  } finally {
    stop?.();
    await Promise.all([a.close(), b?.close()]);
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

import { conversationId, makeMessages } from '../lib/messages';
import { round } from '../lib/percentile';
import type { ChatClient } from '../clients';
import { atLeast, atMost, measure, num, ratioOf, ratiosVsBaselines, type Measured, type Scenario } from './types';

/**
 * 5. load — a long conversation read by a FRESH instance (cold: nothing cached), then read again
 * by the same instance (warm: unchanged since). Requests are counted by the devnode; bytes are the
 * reader's PortalClient download counter. The reader logs in before the measurement. A cold load
 * lasts a fraction of a second on a shared CPU, so it is made `coldRepeats` times, each by a new
 * instance, and the run with the median time is reported (min and max beside it); the warm load
 * is made by the last of them.
 */
export const load: Scenario = {
  name: 'load',
  title: (s) => `cold load of a ${s.load.messages.toLocaleString('en')}-message conversation by a fresh instance, then a warm second load`,
  async run(ctx, side) {
    const cfg = ctx.settings.load;
    const count = cfg.messages;
    const conv = conversationId('load', side);
    const writer = await ctx.open(side, 'writer');
    let seedMs: number;
    try {
      ctx.progress.phase(`load/${side}: seeding ${count} messages`);
      const t0 = performance.now();
      await writer.seed(conv, makeMessages('load', 0, count, cfg.messageBytes), cfg.seedWave);
      seedMs = performance.now() - t0;
    } finally {
      await writer.close();
    }
    const colds: Measured<string[]>[] = [];
    let reader: ChatClient | undefined;
    try {
      for (let r = 1; r <= cfg.coldRepeats; r++) {
        await reader?.close();
        reader = undefined;
        reader = await ctx.open(side, `reader-${r}`);
        ctx.progress.phase(`load/${side}: cold load ${r}/${cfg.coldRepeats} by a fresh instance`);
        const client = reader;
        colds.push(await measure(ctx, [client], () => client.loadMessageIds(conv)));
      }
      const byTime = [...colds].sort((a, b) => a.ms - b.ms);
      const cold = byTime[Math.floor((byTime.length - 1) / 2)]!;
      ctx.progress.phase(`load/${side}: warm second load`);
      const last = reader!;
      const warm = await measure(ctx, [last], () => last.loadMessageIds(conv));
      return {
        messages: count,
        messageBytes: cfg.messageBytes,
        seedMs: round(seedMs, 0),
        coldMessagesLoaded: cold.result.length,
        coldRequests: cold.server.requests.total,
        coldBytesDownloaded: cold.portal.bytesDownloaded,
        coldMs: round(cold.ms, 0),
        coldRuns: colds.length,
        coldMsMin: round(byTime[0]!.ms, 0),
        coldMsMax: round(byTime[byTime.length - 1]!.ms, 0),
        warmMessagesLoaded: warm.result.length,
        warmRequests: warm.server.requests.total,
        warmBytesDownloaded: warm.portal.bytesDownloaded,
        warmMs: round(warm.ms, 0),
      };
    } finally {
      await reader?.close();
    }
  },
  compare(r) {
    const s5chat = r.s5chat;
    const expected = num(s5chat, 'messages');
    const ratio = ratiosVsBaselines(r, 'coldMsX', (s, b) => ratioOf(num(b, 'coldMs'), num(s, 'coldMs')));
    return {
      ratio,
      targets: [
        // Issue 14: at least as fast as the baselines, in ≤ 8 requests.
        atLeast('cold time baseline ÷ s5chat', ratio.coldMsX ?? null, 1),
        atLeast('cold time baselineCached ÷ s5chat', ratio.coldMsXVsCached ?? null, 1),
        atMost('s5chat coldRequests', num(s5chat, 'coldRequests'), 8),
        atMost('s5chat warmRequests', num(s5chat, 'warmRequests'), 1),
        {
          name: 's5chat cold load returns every message',
          value: num(s5chat, 'coldMessagesLoaded'),
          met: expected === null ? null : num(s5chat, 'coldMessagesLoaded') === expected,
        },
      ],
    };
  },
};

import { conversationId, makeMessages } from '../lib/messages';
import { round } from '../lib/percentile';
import { atMost, measure, num, ratioOf, ratiosVsBaselines, type Scenario } from './types';

/**
 * 5. load — a long conversation read by a FRESH instance (cold: nothing cached), then read again
 * by the same instance (warm: unchanged since). Requests are counted by the devnode; bytes are the
 * reader's PortalClient download counter. The reader logs in before the measurement.
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
    const reader = await ctx.open(side, 'reader');
    try {
      ctx.progress.phase(`load/${side}: cold load by a fresh instance`);
      const cold = await measure(ctx, [reader], () => reader.loadMessageIds(conv));
      ctx.progress.phase(`load/${side}: warm second load`);
      const warm = await measure(ctx, [reader], () => reader.loadMessageIds(conv));
      return {
        messages: count,
        messageBytes: cfg.messageBytes,
        seedMs: round(seedMs, 0),
        coldMessagesLoaded: cold.result.length,
        coldRequests: cold.server.requests.total,
        coldBytesDownloaded: cold.portal.bytesDownloaded,
        coldMs: round(cold.ms, 0),
        warmMessagesLoaded: warm.result.length,
        warmRequests: warm.server.requests.total,
        warmBytesDownloaded: warm.portal.bytesDownloaded,
        warmMs: round(warm.ms, 0),
      };
    } finally {
      await reader.close();
    }
  },
  compare(r) {
    const s5chat = r.s5chat;
    const expected = num(s5chat, 'messages');
    return {
      ratio: ratiosVsBaselines(r, 'coldMsX', (s, b) => ratioOf(num(b, 'coldMs'), num(s, 'coldMs'))),
      targets: [
        atMost('s5chat coldRequests', num(s5chat, 'coldRequests'), 20),
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

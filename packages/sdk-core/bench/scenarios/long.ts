import type { ChatClient } from '../clients';
import { conversationId, makeMessage, makeMessages } from '../lib/messages';
import { round } from '../lib/percentile';
import { atMost, measure, num, ratioOf, ratiosVsBaselines, type Metrics, type Scenario, type ScenarioContext } from './types';

/**
 * 3. long — what ONE append costs once a conversation is long: bytes uploaded by append #early
 * and by append #last of a conversation of 500-byte messages. The conversation is seeded between
 * the two measurements (see ChatClient.seed for how each side seeds); only the single measured
 * append runs inside the measurement.
 */
export const long: Scenario = {
  name: 'long',
  title: (s) =>
    `bytes uploaded by append #${s.long.earlyAppend} and #${s.long.messages} of ${s.long.messages} × ${s.long.messageBytes}-byte messages`,
  async run(ctx, side) {
    const cfg = ctx.settings.long;
    const total = cfg.messages;
    const early = cfg.earlyAppend;
    const client = await ctx.open(side, 'device-1');
    try {
      const conv = conversationId('long', side);
      ctx.progress.phase(`long/${side}: seeding ${early - 1} messages`);
      const seed1 = performance.now();
      await client.seed(conv, makeMessages('long', 1, early - 1, cfg.messageBytes), cfg.seedWave);
      const a = await measuredAppend(ctx, client, conv, early, cfg.messageBytes);
      ctx.progress.phase(`long/${side}: seeding up to ${total - 1} messages`);
      await client.seed(conv, makeMessages('long', early + 1, total - early - 1, cfg.messageBytes), cfg.seedWave);
      const seedMs = performance.now() - seed1 - a.ackMs;
      const b = await measuredAppend(ctx, client, conv, total, cfg.messageBytes);
      const metrics: Metrics = {
        messageBytes: cfg.messageBytes,
        appendEarlyIndex: early,
        appendEarlyBytes: a.bytes,
        appendEarlyRequests: a.requests,
        appendEarlyMs: round(a.ackMs, 0),
        appendLastIndex: total,
        appendLastBytes: b.bytes,
        appendLastRequests: b.requests,
        appendLastMs: round(b.ackMs, 0),
        lastOverEarly: round(b.bytes / a.bytes, 3),
        seedMs: round(seedMs, 0),
      };
      return metrics;
    } finally {
      await client.close();
    }
  },
  compare(r) {
    const s5chat = r.s5chat;
    const early = num(s5chat, 'appendEarlyBytes');
    return {
      ratio: ratiosVsBaselines(r, 'appendLastBytesX', (s, b) => ratioOf(num(b, 'appendLastBytes'), num(s, 'appendLastBytes'))),
      targets: [
        // Issue 14: one padded 4 KiB block per append, flat (issue 6 had 8,192 B).
        atMost('s5chat appendLastBytes', num(s5chat, 'appendLastBytes'), 4096),
        atMost('s5chat appendEarlyBytes', early, 4096),
        {
          name: 's5chat appendLastBytes ≤ appendEarlyBytes × 1.1',
          value: num(s5chat, 'appendLastBytes'),
          met: early === null || num(s5chat, 'appendLastBytes') === null ? null : num(s5chat, 'appendLastBytes')! <= early * 1.1,
        },
      ],
    };
  },
};

async function measuredAppend(ctx: ScenarioContext, client: ChatClient, conv: string, index: number, bytes: number) {
  ctx.progress.phase(`long/${client.side}: measuring append #${index}`);
  const message = makeMessage('long', index, bytes);
  const m = await measure(ctx, [client], () => client.append(conv, message));
  return { bytes: m.portal.bytesUploaded, requests: m.server.requests.total, ackMs: m.ms };
}

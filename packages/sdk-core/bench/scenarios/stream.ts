import { fireAtRate } from '../lib/fire';
import { makeMessages } from '../lib/messages';
import { percentile, round } from '../lib/percentile';
import { atMost, finalRead, measure, num, perAppendCost, ratioOf, ratiosVsBaselines, type Scenario } from './types';

/**
 * 1. stream — one device fires appends into one conversation at a fixed rate without waiting
 * (a token stream / a fast typist). Measures ack latency and what each append costs the network.
 */
export const stream: Scenario = {
  name: 'stream',
  title: (s) => `${s.stream.appends} appends fired at ${s.stream.perSecond}/s into one conversation, 1 device`,
  async run(ctx, side) {
    const { appends, perSecond } = ctx.settings.stream;
    const client = await ctx.open(side, 'device-1');
    try {
      // A running app has shown its conversation list before a reply streams (as in create (b)), so
      // the list's first read — ≈2 s for a key on a real Dart node that has never seen it — is
      // start-up cost, not part of any append's acknowledgement.
      await client.listConversations();
      // A new chat: s5chat's id comes from storage.newConversationId() (written without a pre-read).
      const conv = client.newConversationId();
      const messages = makeMessages('stream', 0, appends, ctx.settings.messageBytes);
      ctx.progress.phase(`stream/${side}: ${appends} appends at ${perSecond}/s`);
      const m = await measure(ctx, [client], () =>
        fireAtRate(appends, perSecond, (i) => client.append(conv, messages[i]!), (d) => ctx.progress.tick(d, appends)),
      );
      const acks = m.result.ackMs.filter((x): x is number => x !== null);
      const acknowledged = messages.filter((_, i) => m.result.ackMs[i] !== null).map((x) => x.id);
      ctx.progress.phase(`stream/${side}: final read from a fresh instance`);
      const check = await finalRead(ctx, side, conv, acknowledged, messages.map((x) => x.id));
      return {
        appends,
        acknowledged: acks.length,
        failed: m.result.errors.length,
        ackP50Ms: round(percentile(acks, 50), 0),
        ackP99Ms: round(percentile(acks, 99), 0),
        ackMaxMs: round(Math.max(...acks), 0),
        totalMs: round(m.ms, 0),
        ...perAppendCost(m.server, appends),
        bytesPerAppend: round(m.portal.bytesUploaded / appends, 0),
        lost: check.lost,
        duplicates: check.duplicates,
        firstError: m.result.errors[0] ?? null,
      };
    } finally {
      await client.close();
    }
  },
  compare(r) {
    const s5chat = r.s5chat;
    return {
      ratio: {
        ...ratiosVsBaselines(r, 'ackP99X', (s, b) => ratioOf(num(b, 'ackP99Ms'), num(s, 'ackP99Ms'))),
        ...ratiosVsBaselines(r, 'bytesPerAppendX', (s, b) => ratioOf(num(b, 'bytesPerAppend'), num(s, 'bytesPerAppend'))),
      },
      targets: [
        // Issue 14 (at 200 appends, both profiles); issue 6 had 1,000 ms and 0.15.
        atMost('s5chat ackP99Ms', num(s5chat, 'ackP99Ms'), 400),
        atMost('s5chat registryWritesPerAppend', num(s5chat, 'registryWritesPerAppend'), 0.12),
      ],
    };
  },
};

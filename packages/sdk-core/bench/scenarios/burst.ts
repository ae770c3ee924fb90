import { fireAtRate } from '../lib/fire';
import { conversationId, makeMessages } from '../lib/messages';
import { percentile, round } from '../lib/percentile';
import { clean } from './stream';
import { atLeast, finalRead, measure, num, perAppendCost, ratioOf, type Scenario } from './types';

/** 2. burst — N appends fired at the same instant into one conversation (several agents at once). */
export const burst: Scenario = {
  name: 'burst',
  title: (s) => `${s.burst.appends} appends fired at once into one conversation`,
  async run(ctx, side) {
    const { appends } = ctx.settings.burst;
    const client = await ctx.open(side, 'device-1');
    try {
      const conv = conversationId('burst', side);
      const messages = makeMessages('burst', 0, appends, ctx.settings.messageBytes);
      ctx.progress.phase(`burst/${side}: ${appends} appends at once`);
      const m = await measure(ctx, [client], () =>
        fireAtRate(appends, 'all-at-once', (i) => client.append(conv, messages[i]!), (d) => ctx.progress.tick(d, appends)),
      );
      const acks = m.result.ackMs.filter((x): x is number => x !== null);
      const acknowledged = messages.filter((_, i) => m.result.ackMs[i] !== null).map((x) => x.id);
      const check = await finalRead(ctx, side, conv, acknowledged, messages.map((x) => x.id));
      return {
        appends,
        acknowledged: acks.length,
        failed: m.result.errors.length,
        totalMs: round(m.ms, 0),
        appendsPerSecond: round((acks.length / m.ms) * 1000, 2),
        ackP50Ms: round(percentile(acks, 50), 0),
        ackP99Ms: round(percentile(acks, 99), 0),
        ...perAppendCost(m.server, appends),
        bytesPerAppend: round(m.portal.bytesUploaded / appends, 0),
        requests: m.server.requests.total,
        lost: check.lost,
        firstError: m.result.errors[0] ?? null,
      };
    } finally {
      await client.close();
    }
  },
  compare(s5chat, baseline) {
    const throughputX = ratioOf(num(s5chat, 'appendsPerSecond'), num(baseline, 'appendsPerSecond'));
    return {
      ratio: clean({ throughputX }),
      targets: [atLeast('throughput s5chat ÷ baseline', throughputX ?? null, 20)],
    };
  },
};

import { conversationId, makeMessages } from '../lib/messages';
import { round } from '../lib/percentile';
import { atMost, measure, num, ratioOf, ratiosVsBaselines, type Measured, type Scenario } from './types';

/**
 * 7. fresh-process — a NEW process (a new StorageManager / store on another device id, logged in,
 * nothing cached) appends `appends` times, one after the other, to an existing conversation of
 * `messages` messages: what does an append cost before any cache is warm, and after?
 */
export const freshProcess: Scenario = {
  name: 'fresh-process',
  title: (s) => `a new process appends ${s.freshProcess.appends}× (sequentially) to an existing ${s.freshProcess.messages.toLocaleString('en')}-message conversation`,
  async run(ctx, side) {
    const cfg = ctx.settings.freshProcess;
    const conv = conversationId('fresh', side);
    const writer = await ctx.open(side, 'writer');
    try {
      ctx.progress.phase(`fresh-process/${side}: seeding ${cfg.messages} messages`);
      await writer.seed(conv, makeMessages('fresh-seed', 0, cfg.messages, ctx.settings.messageBytes), cfg.seedWave);
    } finally {
      await writer.close();
    }
    const fresh = await ctx.open(side, 'fresh-process');
    try {
      const messages = makeMessages('fresh', 0, cfg.appends, ctx.settings.messageBytes);
      const runs: Measured<void>[] = [];
      for (let i = 0; i < cfg.appends; i++) {
        ctx.progress.phase(`fresh-process/${side}: append ${i + 1}/${cfg.appends}`);
        runs.push(await measure(ctx, [fresh], () => fresh.append(conv, messages[i]!)));
      }
      const later = runs.slice(1);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      return {
        messages: cfg.messages,
        appends: cfg.appends,
        firstAppendRequests: runs[0]!.server.requests.total,
        firstAppendBytesDownloaded: runs[0]!.portal.bytesDownloaded,
        firstAppendMs: round(runs[0]!.ms, 0),
        laterRequestsPerAppend: round(mean(later.map((m) => m.server.requests.total)), 2),
        laterMsPerAppend: round(mean(later.map((m) => m.ms)), 0),
        requestsPerAppend: round(mean(runs.map((m) => m.server.requests.total)), 2),
        bytesUploadedPerAppend: round(mean(runs.map((m) => m.portal.bytesUploaded)), 0),
      };
    } finally {
      await fresh.close();
    }
  },
  compare(r) {
    return {
      ratio: ratiosVsBaselines(r, 'requestsPerAppendX', (s, b) => ratioOf(num(b, 'requestsPerAppend'), num(s, 'requestsPerAppend'))),
      targets: [atMost('s5chat laterRequestsPerAppend', num(r.s5chat, 'laterRequestsPerAppend'), 2)],
    };
  },
};

import { generateSeedPhrase } from '@s5chat/s5';
import type { ChatClient } from '../clients';
import { makeMessage } from '../lib/messages';
import { percentile, round } from '../lib/percentile';
import { atMost, measure, num, ratioOf, ratiosVsBaselines, type Measured, type Scenario } from './types';

/**
 * 6. create — what a user waits for when starting out:
 * (a) a NEW identity (fresh seed phrase, account never registered) → its first conversation's
 *     first message durable: account sign-up + login + the first write, as an app's first run;
 * (b) an app that is already running (logged in, conversation list shown) starts a NEW
 *     conversation → its first append durable. s5chat takes the id from
 *     `storage.newConversationId()` (so the SDK knows nobody else can hold that key); the
 *     baselines use a random id.
 * Repeated `settings.create.repeats` times; medians reported. On the `dart` profile a first
 * registry read of a missing key waits ≈2 s × timeScale, which is exactly what (b) must avoid.
 */
export const create: Scenario = {
  name: 'create',
  title: (s) => `new identity → first message durable; running app → new conversation → first append durable (median of ${s.create.repeats})`,
  async run(ctx, side) {
    const { repeats } = ctx.settings.create;
    const identity: Measured<void>[] = [];
    const conversation: Measured<void>[] = [];
    for (let r = 0; r < repeats; r++) {
      ctx.progress.phase(`create/${side}: ${r + 1}/${repeats}`);
      let client: ChatClient | undefined;
      const first = await measure(ctx, [], async () => {
        // The app generated the phrase just now and says so (s5chat: freshIdentity; the baselines have no such notion).
        client = await ctx.openAs(side, 'device-1', generateSeedPhrase(), false, { freshIdentity: true });
        await client.append(client.newConversationId(), makeMessage('create-id', r, ctx.settings.messageBytes));
      });
      identity.push(first);
      try {
        await client!.listConversations(); // the running app shows its list before "new chat"
        const conv = client!.newConversationId();
        conversation.push(await measure(ctx, [client!], () => client!.append(conv, makeMessage('create-conv', r, ctx.settings.messageBytes))));
      } finally {
        await client!.close();
      }
    }
    const med = (xs: number[]) => round(percentile(xs, 50), 0);
    return {
      repeats,
      newIdentityFirstDurableMs: med(identity.map((m) => m.ms)),
      newIdentityRequests: med(identity.map((m) => m.server.requests.total)),
      newIdentityRegistryReads: med(identity.map((m) => m.server.registry.gets)),
      newConversationFirstAppendMs: med(conversation.map((m) => m.ms)),
      newConversationFirstAppendMsMax: round(Math.max(...conversation.map((m) => m.ms)), 0),
      newConversationRequests: med(conversation.map((m) => m.server.requests.total)),
      newConversationRegistryReads: med(conversation.map((m) => m.server.registry.gets)),
    };
  },
  compare(r) {
    return {
      ratio: ratiosVsBaselines(r, 'newConversationX', (s, b) => ratioOf(num(b, 'newConversationFirstAppendMs'), num(s, 'newConversationFirstAppendMs'))),
      targets: [atMost('s5chat newConversationFirstAppendMs', num(r.s5chat, 'newConversationFirstAppendMs'), 250)],
    };
  },
};

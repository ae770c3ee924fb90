/**
 * One store per (SDK instance, conversation), shared by every hook that shows it, kept while it
 * has subscribers or a send in flight — so a message sent before switching away is still shown
 * (and settles) when the user switches back. Keyed weakly by SDK: a closed, dropped SDK takes its
 * stores with it.
 */
import type { Sdk } from '@s5chat/sdk-core';
import { ConversationStore } from './conversation-store.js';

const stores = new WeakMap<Sdk, Map<string, ConversationStore>>();

export function conversationStore(sdk: Sdk, conversationId: string): ConversationStore {
  let bySdk = stores.get(sdk);
  if (!bySdk) {
    bySdk = new Map();
    stores.set(sdk, bySdk);
  }
  let store = bySdk.get(conversationId);
  if (!store) {
    const created = new ConversationStore(sdk, conversationId);
    created.onIdle = () => {
      if (bySdk!.get(conversationId) === created) bySdk!.delete(conversationId);
    };
    // StrictMode unmounts and remounts at once: a store dropped in between is adopted back.
    created.onActive = () => {
      if (!bySdk!.has(conversationId)) bySdk!.set(conversationId, created);
    };
    bySdk.set(conversationId, created);
    store = created;
  }
  return store;
}

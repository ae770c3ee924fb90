/**
 * useConversations(): the conversation list, most recently updated first, live.
 */
import { useSyncExternalStore } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { ConversationListStore, type ConversationListSnapshot } from './conversation-list-store.js';
import { useOptionalSdk } from './provider.js';

export interface UseConversationsOptions {
  /** Items per page (default 50; 1–1000). */
  pageSize?: number;
}

export interface UseConversationsResult extends ConversationListSnapshot {
  loadMore(): void;
  refresh(): void;
}

const lists = new WeakMap<Sdk, Map<number, ConversationListStore>>();
function listStore(sdk: Sdk, pageSize: number): ConversationListStore {
  let bySize = lists.get(sdk);
  if (!bySize) lists.set(sdk, (bySize = new Map()));
  let store = bySize.get(pageSize);
  if (!store) bySize.set(pageSize, (store = new ConversationListStore(sdk, pageSize)));
  return store;
}

const IDLE: ConversationListSnapshot = { items: [], status: 'idle', error: null, hasMore: false, loadingMore: false };
const idle = () => IDLE;
const noopSubscribe = () => () => undefined;
const noop = () => undefined;

export function useConversations(options: UseConversationsOptions = {}): UseConversationsResult {
  const sdk = useOptionalSdk();
  const store = sdk ? listStore(sdk, options.pageSize ?? 50) : null;
  const snapshot = useSyncExternalStore(store ? store.subscribe : noopSubscribe, store ? store.getSnapshot : idle, store ? store.getSnapshot : idle);
  return { ...snapshot, loadMore: store ? store.loadMore : noop, refresh: store ? store.refresh : noop };
}

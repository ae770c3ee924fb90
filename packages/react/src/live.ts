/**
 * The live parts of the SDK that hooks use when the SDK has them (contracts 4 and 5 of TEAM.md):
 * `storage.watch`, `storage.watchConversations`, write results with `status`, and the `outbox`
 * event. They are looked up at run time, so these bindings work with SDK builds that predate them
 * (then liveness falls back to the `saved`/`remote` events of this SDK instance and its tabs).
 */
import type { ConversationSummary, Message, MessageInput, StorageManager, StorageResult } from '@s5chat/sdk-core';

export interface WatchEventLike {
  conversationId: string;
  revision: number;
  /** New or changed messages. */
  messages: Message[];
  metadata?: Record<string, unknown>;
  deleted?: boolean;
  source: 'tab' | 'device';
}

export interface ConversationsEventLike {
  items: ConversationSummary[];
  source: 'tab' | 'device';
}

export interface OutboxEventLike {
  conversationId: string;
  operationId: string;
  state: 'queued' | 'sent' | 'failed';
  pending: number;
  error?: unknown;
}

export type AppendResult = StorageResult & { message: Message; status?: 'durable' | 'queued'; operationId?: string };

type Unsubscribe = () => void;
interface LiveStorage {
  watch?: (conversationId: string, listener: (e: WatchEventLike) => void) => Unsubscribe;
  watchConversations?: (listener: (e: ConversationsEventLike) => void) => Unsubscribe;
  on(event: string, fn: (payload: never) => void): Unsubscribe;
  appendMessage(conversationId: string, message: MessageInput, options?: { operationId?: string }): Promise<AppendResult>;
}

const live = (storage: StorageManager) => storage as unknown as LiveStorage;

export function watchConversation(storage: StorageManager, id: string, listener: (e: WatchEventLike) => void): Unsubscribe | null {
  const s = live(storage);
  return typeof s.watch === 'function' ? s.watch(id, listener) : null;
}

export function watchConversationList(storage: StorageManager, listener: (e: ConversationsEventLike) => void): Unsubscribe | null {
  const s = live(storage);
  return typeof s.watchConversations === 'function' ? s.watchConversations(listener) : null;
}

export function onOutbox(storage: StorageManager, listener: (e: OutboxEventLike) => void): Unsubscribe {
  return live(storage).on('outbox', listener as (payload: never) => void);
}

/** appendMessage with an operation id (contract 3): a retry of the same send is a no-op if it landed. */
export function appendWithOperation(storage: StorageManager, id: string, message: MessageInput, operationId: string): Promise<AppendResult> {
  return live(storage).appendMessage(id, message, { operationId });
}

export function hasWatch(storage: StorageManager): boolean {
  return typeof live(storage).watch === 'function';
}

/**
 * The SDK's live surface as the stores use it: `storage.watch` / `watchConversations` (contract 4
 * of TEAM.md), the `outbox` event and `status: 'queued'` write results (contract 5), and writes
 * with an operation id (contract 3). Kept in one place so the stores stay about state.
 */
import type { ConversationsWatchEvent, Message, MessageInput, OutboxEvent, StorageManager, StorageResult, WatchEvent } from '@s5chat/sdk-core';

export type AppendResult = StorageResult & { message: Message };
type Unsubscribe = () => void;

export function watchConversation(storage: StorageManager, id: string, listener: (e: WatchEvent) => void): Unsubscribe {
  // initial (default): the state read at subscribe time arrives as the first event, so no commit
  // between our own load and the watch's baseline can be missed.
  return storage.watch(id, listener);
}

export function watchConversationList(storage: StorageManager, listener: (e: ConversationsWatchEvent) => void): Unsubscribe {
  return storage.watchConversations(listener);
}

export function onOutbox(storage: StorageManager, listener: (e: OutboxEvent) => void): Unsubscribe {
  return storage.on('outbox', listener);
}

type AppendWithOptions = (conversationId: string, message: MessageInput, options?: { operationId?: string }) => Promise<AppendResult>;

/**
 * appendMessage with our operation id, so retry() of a send whose reply was lost is a no-op if it
 * landed (contract 3). An SDK without operation ids ignores the extra argument; the message id
 * keeps the retry idempotent there too.
 */
export function appendWithOperation(storage: StorageManager, id: string, message: MessageInput, operationId: string): Promise<AppendResult> {
  return (storage.appendMessage as AppendWithOptions).call(storage, id, message, { operationId });
}

/**
 * useConversation(id): one conversation, loaded, live, with this tab's sends shown at once.
 */
import { useCallback, useSyncExternalStore } from 'react';
import { ValidationError } from '@s5chat/sdk-core';
import type { ConversationSnapshot } from './conversation-store.js';
import { useOptionalSdk } from './provider.js';
import { conversationStore } from './registry.js';
import type { SendInput, SendOutcome } from './types.js';

export interface UseConversationResult extends ConversationSnapshot {
  /** Append a message optimistically (shown as `sending` at once). Never rejects: see SendOutcome. */
  send(input: SendInput): Promise<SendOutcome>;
  /** Re-read from the node (e.g. a "reload" button); what is shown stays until the read answers. */
  refresh(): void;
}

const IDLE: ConversationSnapshot = { conversationId: null, status: 'idle', conversation: null, messages: [], pending: [], error: null };
const noop = () => () => undefined;
const idleSnapshot = () => IDLE;

/**
 * `id` null/undefined (or no SDK in the provider) → status 'idle'. Changing `id` switches to that
 * conversation's own store in the same render: the previous conversation's messages are never
 * shown under the new id, and answers for the old id land only in the old store.
 */
export function useConversation(id: string | null | undefined): UseConversationResult {
  const sdk = useOptionalSdk();
  const store = sdk && id ? conversationStore(sdk, id) : null;
  const snapshot = useSyncExternalStore(store ? store.subscribe : noop, store ? store.getSnapshot : idleSnapshot, store ? store.getSnapshot : idleSnapshot);
  const send = useCallback(
    (input: SendInput): Promise<SendOutcome> => {
      if (store) return store.send(input);
      const error = new ValidationError([{ path: 'conversationId', message: sdk ? 'no conversation selected' : 'no SDK in <S5ChatProvider>' }]);
      const message = typeof input === 'string' ? { id: '', role: 'user' as const, content: input, timestamp: Date.now() } : { id: '', timestamp: Date.now(), ...input };
      return Promise.resolve({ status: 'failed', message, error });
    },
    [store, sdk],
  );
  const refresh = useCallback(() => store?.refresh(), [store]);
  return { ...snapshot, send, refresh };
}

import type { Message, MessageInput } from '@s5chat/sdk-core';

/**
 * Where a message shown by a hook stands:
 * - `stored`: read from the node (or acknowledged durable);
 * - `sending`: handed to the SDK, not yet acknowledged;
 * - `queued`: kept in the SDK's outbox (portal unreachable), sent when it answers again;
 * - `failed`: not stored; `error` says why and `retry()` sends it again (same message and operation id);
 * - `streaming`: an assistant reply still being generated in this tab.
 */
export type Delivery = 'stored' | 'sending' | 'queued' | 'failed' | 'streaming';

export type ChatMessage = Message & {
  delivery: Delivery;
  /** The typed error of a failed message (an S5ChatError: switch on `code`). */
  error?: unknown;
  /** Present on failed sends: re-submits the same message (idempotent by id and operation id). */
  retry?: () => Promise<SendOutcome>;
};

/** What a send settled to. `send` never rejects: failures are reported here and on the message. */
export type SendOutcome =
  | { status: 'durable'; message: Message; revision: number }
  | { status: 'queued'; message: Message }
  | { status: 'failed'; message: Message; error: unknown };

/** A message to send: its text (a user message), or a message input (id and timestamp optional). */
export type SendInput = string | MessageInput;

export type ConversationStatus = 'idle' | 'loading' | 'ready' | 'missing' | 'error';

export interface LoadedConversation {
  id: string;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  /** Newest registry revision this view has seen. */
  revision: number;
  encrypted?: boolean;
}

/**
 * Chat sessions on top of the StorageManager. Status lives in conversation metadata
 * (`status: 'active' | 'completed' | 'ended'`, `startTime`, `endTime`) and changes only through
 * metadata operations applied under the conversation lock to the latest stored state — never by
 * saving a copy loaded earlier, so ending a session cannot erase messages appended meanwhile.
 */
import { uuidv7 } from './util/uuidv7.js';
import { ValidationError } from '@s5chat/s5';
import type { StorageManager } from './storage-manager.js';
import type { Message, StorageResult } from './schemas.js';
import { assertConversationId } from './schemas.js';

export type SessionStatus = 'active' | 'completed' | 'ended';

export interface StreamOptions {
  /** Id of the assistant message (default: a new UUIDv7). */
  messageId?: string;
  /** Minimum time between two checkpoints of the partial message (default 500 ms). */
  checkpointMs?: number;
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
}

export type WriteResult = StorageResult & { message: Message };

export class Session {
  readonly conversationId: string;
  /** The write that marked the session active. */
  readonly ready: Promise<StorageResult>;
  readonly #storage: StorageManager;
  readonly #now: () => number;
  /** Counts complete()/end() calls, so a stream can tell that the session ended while it ran. */
  #endings = 0;

  constructor(storage: StorageManager, conversationId: string, metadata: Record<string, unknown>, now: () => number) {
    this.#storage = storage;
    this.#now = now;
    this.conversationId = conversationId;
    this.ready = storage.updateMetadata(conversationId, { ...metadata, status: 'active', startTime: now() });
    // Failures reach the storage 'error' event; keep an unobserved rejection from crashing Node.
    this.ready.catch(() => undefined);
  }

  sendUserMessage(text: string, metadata?: Record<string, unknown>): Promise<WriteResult> {
    const m: { role: 'user'; content: string; metadata?: Record<string, unknown> } = { role: 'user', content: text };
    if (metadata) m.metadata = metadata;
    return this.#storage.appendMessage(this.conversationId, m);
  }

  /**
   * Persist a streamed assistant reply: once at the end, plus coalesced checkpoints of the partial
   * text (at most one in flight, at most one per `checkpointMs`; never one per token). Each
   * checkpoint is the same message id with a higher `updatedAt`, so the longest version wins on
   * every device. If the token source throws, the partial text is saved (metadata.partial = true)
   * and the error is rethrown. If the stream stops because `opts.signal` aborted or the session was
   * completed/ended while it ran, the text so far is saved with metadata.partial = true (and the
   * call resolves), so readers can tell a cut-off reply from a finished one.
   */
  async streamAssistant(tokens: AsyncIterable<string>, opts: StreamOptions = {}): Promise<WriteResult> {
    const id = opts.messageId ?? uuidv7();
    const timestamp = this.#now();
    const every = opts.checkpointMs ?? 500;
    let content = '';
    let version = timestamp;
    let inFlight: Promise<unknown> | null = null;
    let lastCheckpoint = this.#now();
    let checkpointed = '';
    const endingsAtStart = this.#endings;
    const message = (extra?: Record<string, unknown>) => {
      version = Math.max(version + 1, this.#now()); // strictly increasing versions of this message
      const meta = { ...(opts.metadata ?? {}), ...(extra ?? {}) };
      return {
        id,
        role: 'assistant' as const,
        content,
        timestamp,
        updatedAt: version,
        ...(Object.keys(meta).length ? { metadata: meta } : {}),
      };
    };
    try {
      for await (const token of tokens) {
        if (opts.signal?.aborted) break;
        if (typeof token !== 'string') throw new ValidationError([{ path: 'tokens', message: 'expected strings' }]);
        content += token;
        if (!inFlight && content !== checkpointed && this.#now() - lastCheckpoint >= every) {
          lastCheckpoint = this.#now();
          checkpointed = content;
          inFlight = this.#storage
            .appendMessage(this.conversationId, message({ streaming: true }))
            .catch(() => undefined) // reported through the 'error' event; the final write still follows
            .finally(() => {
              inFlight = null;
            });
        }
      }
    } catch (error) {
      await this.#storage.appendMessage(this.conversationId, message({ partial: true })).catch(() => undefined);
      throw error;
    }
    const cut = opts.signal?.aborted === true || this.#endings !== endingsAtStart;
    return this.#storage.appendMessage(this.conversationId, message(cut ? { partial: true } : undefined));
  }

  /** status → 'completed' (with endTime), applied to the latest stored state. */
  complete(): Promise<StorageResult> {
    this.#endings++;
    return this.#storage.updateMetadata(this.conversationId, { status: 'completed', endTime: this.#now() });
  }

  /** status → 'ended' (with endTime). Appends still in flight are kept. */
  end(): Promise<StorageResult> {
    this.#endings++;
    return this.#storage.updateMetadata(this.conversationId, { status: 'ended', endTime: this.#now() });
  }
}

export class SessionManager {
  readonly #storage: StorageManager;
  readonly #now: () => number;
  constructor(storage: StorageManager, now: () => number = Date.now) {
    this.#storage = storage;
    this.#now = now;
  }

  /** Start (or resume) a session; the conversation is created if absent. */
  start(opts: { conversationId?: string; metadata?: Record<string, unknown> } = {}): Session {
    const id = opts.conversationId === undefined ? uuidv7() : assertConversationId(opts.conversationId);
    return new Session(this.#storage, id, opts.metadata ?? {}, this.#now);
  }
}

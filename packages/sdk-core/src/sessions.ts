/**
 * Chat sessions on top of the StorageManager. Status lives in conversation metadata
 * (`status: 'active' | 'completed' | 'ended'`, `startTime`, `endTime`) and changes only through
 * metadata operations applied under the conversation lock to the latest stored state — never by
 * saving a copy loaded earlier, so ending a session cannot erase messages appended meanwhile.
 */
import { uuidv7 } from './util/uuidv7.js';
import { ValidationError } from '@s5chat/s5';
import { StreamFailedError } from './errors.js';
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

export interface SendOptions {
  /** Id of the message (default: the operation id). Re-sending with the same id stores it once. */
  id?: string;
  /** Id of the append operation (default: generated). Re-submitting it is a no-op once applied. */
  operationId?: string;
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
  /** Streams running now: complete()/end() stop their token sources. */
  readonly #streams = new Set<AbortController>();

  constructor(storage: StorageManager, conversationId: string, metadata: Record<string, unknown>, now: () => number) {
    this.#storage = storage;
    this.#now = now;
    this.conversationId = conversationId;
    // Resuming (after a reload) must not restart the clock or reopen an ended session: status and
    // startTime are set only where they are absent. The caller's metadata applies as given.
    const marks = storage.updateMetadata(conversationId, { status: 'active', startTime: now() }, { ifAbsent: true });
    const extra = Object.keys(metadata).length ? storage.updateMetadata(conversationId, metadata) : null;
    this.ready = extra ? Promise.all([extra, marks]).then(([, r]) => r) : marks;
    // Failures reach the storage 'error' event; keep an unobserved rejection from crashing Node.
    marks.catch(() => undefined);
    extra?.catch(() => undefined);
    this.ready.catch(() => undefined);
  }

  sendUserMessage(text: string, metadata?: Record<string, unknown>, options: SendOptions = {}): Promise<WriteResult> {
    const m: { role: 'user'; content: string; id?: string; metadata?: Record<string, unknown> } = { role: 'user', content: text };
    if (metadata) m.metadata = metadata;
    if (options.id !== undefined) m.id = options.id;
    return this.#storage.appendMessage(this.conversationId, m, options.operationId !== undefined ? { operationId: options.operationId } : undefined);
  }

  /**
   * Persist a streamed assistant reply: once at the end, plus coalesced checkpoints of the partial
   * text (at most one in flight, at most one per `checkpointMs`; never one per token). Each
   * checkpoint is the same message id with a higher `updatedAt`, so the longest version wins on
   * every device. If the token source throws, the partial text is saved (metadata.partial = true)
   * and the error is rethrown; a token that is not a string ends the stream the same way, with a
   * StreamFailedError. If `opts.signal` aborts or the session is completed/ended while it runs,
   * the source is stopped at once (even while it is stalled), the text so far is saved with
   * metadata.partial = true, and the call resolves.
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
    const message = (extra?: Record<string, unknown>) => {
      version = Math.max(version + 1, this.#now()); // strictly increasing versions of this message
      const meta = { ...(opts.metadata ?? {}), ...(extra ?? {}) };
      return { id, role: 'assistant' as const, content, timestamp, updatedAt: version, ...(Object.keys(meta).length ? { metadata: meta } : {}) };
    };
    const stop = new AbortController();
    this.#streams.add(stop);
    const onAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) stop.abort();
    const stopped = new Promise<'stopped'>((resolve) => {
      if (stop.signal.aborted) resolve('stopped');
      else stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const iterator = tokens[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stopped]);
        if (next === 'stopped') {
          // Tell the source to stop, without waiting for it (a stalled source may never answer).
          void Promise.resolve()
            .then(() => iterator.return?.())
            .catch(() => undefined);
          break;
        }
        if (next.done) break;
        const token: unknown = next.value;
        if (typeof token !== 'string') {
          await this.#storage.appendMessage(this.conversationId, message({ partial: true })).catch(() => undefined);
          throw new StreamFailedError(this.conversationId, id, new ValidationError([{ path: 'tokens', message: 'expected strings' }]));
        }
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
      if (!(error instanceof StreamFailedError)) {
        await this.#storage.appendMessage(this.conversationId, message({ partial: true })).catch(() => undefined);
      }
      throw error;
    } finally {
      this.#streams.delete(stop);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    return this.#storage.appendMessage(this.conversationId, message(stop.signal.aborted ? { partial: true } : undefined));
  }

  /** status → 'completed' (with endTime), applied to the latest stored state. Stops running streams. */
  complete(): Promise<StorageResult> {
    this.#stopStreams();
    return this.#storage.updateMetadata(this.conversationId, { status: 'completed', endTime: this.#now() });
  }

  /** status → 'ended' (with endTime). Running streams stop (their replies are saved as partial); appends in flight are kept. */
  end(): Promise<StorageResult> {
    this.#stopStreams();
    return this.#storage.updateMetadata(this.conversationId, { status: 'ended', endTime: this.#now() });
  }

  #stopStreams(): void {
    this.#endings++;
    for (const s of this.#streams) s.abort();
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

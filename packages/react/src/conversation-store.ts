/**
 * The state of one conversation as a chat view needs it, for one SDK instance: what the node
 * holds (load + watch), merged by message id with what this tab is sending or streaming. It knows
 * nothing of React: hooks read it through useSyncExternalStore, so every component showing one
 * conversation shares one store, and a store only ever holds its own conversation — a response
 * for conversation A can never land in B's view.
 *
 * Written by hand rather than with a state library because its one job (merge three sources by
 * id under revision rules) is what no generic store does for us.
 */
import { uuidv7 } from 'uuidv7';
import { compareMessageOrder, pickMessage, type Message, type Sdk } from '@s5chat/sdk-core';
import { OutboxFailedError } from './errors.js';
import type { OutboxEvent, WatchEvent } from '@s5chat/sdk-core';
import { appendWithOperation, onOutbox, watchConversation } from './live.js';
import type { ChatMessage, ConversationStatus, Delivery, LoadedConversation, SendInput, SendOutcome } from './types.js';

export interface ConversationSnapshot {
  conversationId: string | null;
  status: ConversationStatus;
  conversation: LoadedConversation | null;
  /** Stored and local messages, one per id, in the SDK's order (timestamp, then id). */
  messages: ChatMessage[];
  /** The messages of `messages` that are not stored yet (sending, queued, failed, streaming). */
  pending: ChatMessage[];
  error: unknown;
}

interface LocalEntry {
  message: Message;
  delivery: Exclude<Delivery, 'stored'>;
  error?: unknown;
  operationId?: string;
  retry?: () => Promise<SendOutcome>;
}

/** The longest a retry() waits for an open circuit to let a call through (the client's own cap is 10 s). */
const MAX_CIRCUIT_WAIT_MS = 15_000;

/** How long until an open circuit lets a call through, from a PORTAL_UNAVAILABLE error's details (0: not that). */
function circuitRetryAfterMs(error: unknown): number {
  const e = error as { code?: unknown; details?: { circuit?: unknown; retryAfterMs?: unknown } } | null;
  if (e?.code !== 'PORTAL_UNAVAILABLE' || e.details?.circuit !== 'open' || typeof e.details.retryAfterMs !== 'number') return 0;
  return Math.min(Math.max(e.details.retryAfterMs, 1), MAX_CIRCUIT_WAIT_MS);
}

export class ConversationStore {
  readonly sdk: Sdk;
  readonly conversationId: string;
  #stored = new Map<string, Message>();
  #sortedStored: Message[] = [];
  #local = new Map<string, LocalEntry>();
  #meta: LoadedConversation | null = null;
  #status: ConversationStatus = 'loading';
  #error: unknown = null;
  /** Highest revision seen from any source; a load that started below it is not trusted for metadata/existence. */
  #revision = 0;
  #loading = false;
  #reloadWanted = false;
  /** Consecutive "absent" answers not trusted (see refresh); bounded so a lagging portal cannot loop us. */
  #untrustedAbsent = 0;
  #listeners = new Set<() => void>();
  #teardown: (() => void)[] = [];
  #snapshot: ConversationSnapshot;
  #annotated = new WeakMap<Message, ChatMessage>();
  /** Called when the store has no subscribers and nothing in flight (the registry drops it). */
  onIdle: (() => void) | null = null;
  /** Called when the store gains its first subscriber (the registry re-adopts it if it had dropped it). */
  onActive: (() => void) | null = null;

  constructor(sdk: Sdk, conversationId: string) {
    this.sdk = sdk;
    this.conversationId = conversationId;
    this.#snapshot = this.#build();
  }

  // ---- useSyncExternalStore surface (arrow properties: stable identities) ----------------------

  getSnapshot = (): ConversationSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#activate();
    return () => {
      if (!this.#listeners.delete(listener)) return;
      if (this.#listeners.size === 0) this.#deactivate();
    };
  };

  get subscriberCount(): number {
    return this.#listeners.size;
  }

  // ---- writes ------------------------------------------------------------------------------------

  /** Optimistic append: shown at once as `sending`, then stored / queued / failed. Never rejects. */
  send = (input: SendInput): Promise<SendOutcome> => {
    const base = typeof input === 'string' ? { role: 'user' as const, content: input } : input;
    // The id and timestamp are fixed here, so the optimistic message sorts where the stored one will.
    const message = { ...base, id: base.id ?? uuidv7(), timestamp: base.timestamp ?? Date.now() } as Message;
    if (this.#stored.has(message.id)) {
      // Already stored: appending again is a no-op in the SDK; report it as durable.
      return Promise.resolve({ status: 'durable', message: this.#stored.get(message.id)!, revision: this.#revision });
    }
    return this.#submit(message, uuidv7());
  };

  /**
   * `waitOpenCircuit` (retry() only): a failure that met the client's open circuit breaker waits for
   * the half-open moment the error names and sends once more, the message staying `sending`.
   */
  #submit(message: Message, operationId: string, waitOpenCircuit = false): Promise<SendOutcome> {
    const entry: LocalEntry = { message, delivery: 'sending', operationId };
    this.#local.set(message.id, entry);
    this.#emit();
    let result: ReturnType<typeof appendWithOperation>;
    try {
      result = appendWithOperation(this.sdk.storage, this.conversationId, message, operationId);
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.then(
      (r): SendOutcome => {
        if (r.status === 'queued') {
          if (this.#local.get(message.id) === entry) {
            // The outbox reports this write under its operation id ('sent' / 'failed' events).
            this.#local.set(message.id, { ...entry, delivery: 'queued', operationId: r.operationId ?? operationId });
            this.#emit();
          }
          return { status: 'queued', message: r.message };
        }
        this.#settle(r.message, r.revision);
        return { status: 'durable', message: r.message, revision: r.revision };
      },
      async (error: unknown): Promise<SendOutcome> => {
        const wait = waitOpenCircuit ? circuitRetryAfterMs(error) : 0;
        if (wait > 0 && this.#local.get(message.id) === entry) {
          await new Promise((resolve) => setTimeout(resolve, wait));
          if (this.#local.get(message.id) === entry) return this.#submit(message, operationId);
          // Meanwhile it arrived from storage (an earlier attempt had landed), or something else took over.
          const stored = this.#stored.get(message.id);
          if (stored) return { status: 'durable', message: stored, revision: this.#revision };
        }
        if (this.#local.get(message.id) === entry) this.#fail(message.id, entry, error);
        this.#maybeIdle();
        return { status: 'failed', message, error };
      },
    );
  }

  #fail(id: string, entry: LocalEntry, error: unknown) {
    const operationId = entry.operationId ?? uuidv7();
    const retry = (): Promise<SendOutcome> => {
      const current = this.#local.get(id);
      if (!current || current.delivery !== 'failed') return Promise.resolve<SendOutcome>({ status: 'durable', message: this.#stored.get(id) ?? entry.message, revision: this.#revision });
      // A Retry right after the portal came back can meet the client's circuit breaker still open
      // (it fails fast and says when it lets a call through again): #submit waits for that moment,
      // so one Retry is enough once the portal answers.
      return this.#submit(entry.message, operationId, true);
    };
    this.#local.set(id, { ...entry, delivery: 'failed', error, retry });
    this.#emit();
  }

  /** A message is durable: it joins the stored ones and its local entry goes. */
  #settle(message: Message, revision: number) {
    this.#local.delete(message.id);
    this.#mergeStored([message]);
    if (revision > this.#revision) this.#revision = revision;
    if (this.#meta && revision > this.#meta.revision) this.#meta = { ...this.#meta, revision };
    if (this.#status === 'missing' || !this.#meta) {
      // The send created the conversation: read its metadata (createdAt, title) once.
      if (this.#status === 'missing') this.#status = 'ready';
      if (this.#listeners.size > 0) this.refresh();
    }
    this.#emit();
    this.#maybeIdle();
  }

  // ---- streaming (used by useSession) -----------------------------------------------------------

  /** Show (or grow) a reply being streamed in this tab. */
  showStreaming(message: Message) {
    this.#local.set(message.id, { message, delivery: 'streaming' });
    this.#emit();
  }

  /** The streamed reply was stored (final or partial version). */
  settleStreaming(message: Message, revision: number) {
    this.#settle(message, revision);
  }

  failStreaming(id: string, error: unknown) {
    const entry = this.#local.get(id);
    if (!entry) return;
    this.#local.set(id, { message: entry.message, delivery: 'failed', error });
    this.#emit();
    this.#maybeIdle();
  }

  /** Whether a send or stream is still in flight (the registry keeps such a store). */
  get busy(): boolean {
    for (const e of this.#local.values()) if (e.delivery !== 'failed') return true;
    return false;
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** Re-read from the node. Coalesced: one read in flight, at most one more after it. */
  refresh = (): void => {
    if (this.#loading) {
      this.#reloadWanted = true;
      return;
    }
    this.#loading = true;
    const revisionAtStart = this.#revision;
    let read: ReturnType<Sdk['storage']['loadConversation']>;
    try {
      read = this.sdk.storage.loadConversation(this.conversationId);
    } catch (error) {
      read = Promise.reject(error);
    }
    read.then(
      (conv) => {
        if (conv === null) {
          // Trust "absent" only if nothing arrived while we read; else read again.
          if (this.#revision === revisionAtStart && this.#stored.size === 0) {
            this.#meta = null;
            this.#status = 'missing';
            this.#error = null;
          } else if (++this.#untrustedAbsent <= 3) this.#reloadWanted = true;
        } else {
          this.#untrustedAbsent = 0;
          this.#mergeStored(conv.messages);
          if (conv.revision >= this.#revision || !this.#meta) {
            this.#meta = {
              id: conv.id,
              metadata: conv.metadata,
              createdAt: conv.createdAt,
              updatedAt: conv.updatedAt,
              revision: Math.max(conv.revision, this.#revision),
              encrypted: conv.encrypted,
            };
          }
          if (conv.revision > this.#revision) this.#revision = conv.revision;
          this.#status = 'ready';
          this.#error = null;
        }
        this.#afterRead();
      },
      (error: unknown) => {
        // A failed re-read keeps what is shown; only a first read turns into the error state.
        if (this.#status === 'loading') {
          this.#status = 'error';
          this.#error = error;
        }
        this.#afterRead();
      },
    );
  };

  #afterRead() {
    this.#loading = false;
    this.#emit();
    if (this.#reloadWanted) {
      this.#reloadWanted = false;
      if (this.#listeners.size > 0) this.refresh();
    }
    this.#maybeIdle();
  }

  /** A commit seen by `storage.watch` (another tab or device). */
  #onWatch = (e: WatchEvent) => {
    if (e.conversationId !== this.conversationId) return;
    if (e.deleted) {
      if (e.revision < this.#revision) return;
      this.#revision = e.revision;
      this.#stored = new Map();
      this.#sortedStored = [];
      this.#meta = null;
      this.#status = 'missing';
      this.#emit();
      return;
    }
    if (e.messages.length) this.#mergeStored(e.messages);
    if (e.revision > this.#revision) {
      this.#revision = e.revision;
      if (this.#meta) this.#meta = { ...this.#meta, revision: e.revision, ...(e.metadata ? { metadata: e.metadata } : {}) };
    }
    // First sight of this conversation (loading, or 'missing' until now): its messages show at
    // once; status turns 'ready' with its metadata, from a read (the one under way, or a new one).
    if (!this.#meta) this.refresh();
    this.#emit();
  };

  #mergeStored(messages: Message[]) {
    let changed = false;
    for (const m of messages) {
      const current = this.#stored.get(m.id);
      const winner = current ? pickMessage(current, m) : m;
      if (winner !== current) {
        this.#stored.set(m.id, winner);
        changed = true;
      }
      // Stored now: a sending/queued/failed copy of it is settled. A reply still streaming here
      // stays local (it holds more text than its last checkpoint).
      const local = this.#local.get(m.id);
      if (local && local.delivery !== 'streaming') this.#local.delete(m.id);
    }
    if (changed) this.#sortedStored = [...this.#stored.values()].sort(compareMessageOrder);
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  #activate() {
    this.onActive?.();
    const storage = this.sdk.storage;
    const id = this.conversationId;
    // Other tabs' and devices' commits (the watch skips this instance's own).
    try {
      this.#teardown.push(watchConversation(storage, id, this.#onWatch));
    } catch {
      // An id the SDK refuses (ValidationError): the load below reports that same typed error.
    }
    // Writes of this SDK instance that did not go through this store (a Session, other code).
    this.#teardown.push(storage.on('saved', (e) => e.kind === 'commit' && e.conversationId === id && e.revision > this.#revision && this.refresh()));
    this.#teardown.push(onOutbox(storage, this.#onOutbox));
    this.refresh();
  }

  #deactivate() {
    for (const off of this.#teardown.splice(0)) off();
    this.#maybeIdle();
  }

  /** The outbox sent (or gave up on) a queued write: settle (or fail) the message it carried. */
  #onOutbox = (e: OutboxEvent) => {
    if (e.conversationId !== this.conversationId) return;
    for (const [id, entry] of this.#local) {
      if (entry.operationId !== e.operationId || entry.delivery === 'failed') continue;
      if (e.state === 'sent') this.#settle(entry.message, this.#revision);
      else if (e.state === 'failed') this.#fail(id, entry, new OutboxFailedError(e.operationId, e.error));
      else if (e.state === 'queued' && entry.delivery === 'sending') {
        this.#local.set(id, { ...entry, delivery: 'queued' });
        this.#emit();
      }
    }
  };

  #maybeIdle() {
    if (this.#listeners.size === 0 && !this.busy && !this.#loading) this.onIdle?.();
  }

  // ---- snapshots ---------------------------------------------------------------------------------

  #emit() {
    this.#snapshot = this.#build();
    for (const l of [...this.#listeners]) l();
  }

  #annotate(m: Message): ChatMessage {
    let a = this.#annotated.get(m);
    if (!a) {
      a = { ...m, delivery: 'stored' };
      this.#annotated.set(m, a);
    }
    return a;
  }

  #build(): ConversationSnapshot {
    const stored = this.#sortedStored.map((m) => this.#annotate(m));
    const pending: ChatMessage[] = [];
    for (const e of this.#local.values()) {
      const c: ChatMessage = { ...e.message, delivery: e.delivery };
      if (e.error !== undefined) c.error = e.error;
      if (e.retry) c.retry = e.retry;
      pending.push(c);
    }
    pending.sort(compareMessageOrder);
    let messages = stored;
    if (pending.length) {
      const localIds = new Set(pending.map((m) => m.id));
      messages = stored.filter((m) => !localIds.has(m.id)).concat(pending).sort(compareMessageOrder);
    }
    return {
      conversationId: this.conversationId,
      status: this.#status,
      conversation: this.#meta,
      messages,
      pending,
      error: this.#error,
    };
  }
}

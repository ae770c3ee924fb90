/**
 * BASELINE FOR COMPARISON ONLY — DO NOT USE THIS CODE FOR ANYTHING ELSE.
 *
 * This module reproduces, on purpose, the conversation-storage strategy that S5 chat SDKs commonly
 * use today (the team's DESIGN-NOTES, "The baseline we replace"; summarised in docs/BENCHMARKS.md).
 * `pnpm bench` runs it next to s5chat in the same process, against the same devnode, through the
 * same `@s5chat/s5` client, so that the comparison measures the strategy and nothing else.
 *
 * It is KNOWN TO BE WRONG, and the bench relies on it behaving exactly this wrongly:
 *  - one in-memory promise chain per conversation id; a failed predecessor is swallowed and the
 *    next operation runs; no timeout, no queue depth, no metrics beyond what the bench needs;
 *  - appendMessage = under that chain, load the whole conversation (registry get → download the
 *    whole conversation blob), push the message, upload the whole conversation as one blob,
 *    registry set — O(n) bytes per append, O(n²) per conversation;
 *  - save retry: 3 attempts on errors whose *message text* contains "Revision number too low",
 *    sleeping 100·2^attempt ms between them (200 ms, then 400 ms; the 800 ms wait never happens);
 *    every attempt re-sends the SAME in-memory snapshot;
 *  - like the reference S5 client's directory write underneath, every attempt re-reads the
 *    current revision and writes revision + 1 with that stale snapshot. That is why a lost race
 *    "succeeds": the other writer's messages are overwritten and no error surfaces.
 *
 * Two deliberate deviations, both in the baseline's favour and both stated in docs/BENCHMARKS.md:
 *  - a conversation that was never saved loads as empty (the reference client fails instead);
 *  - the blob is plain UTF-8 JSON (no encryption, no padding), so its bytes are the smallest the
 *    strategy can upload.
 */
import {
  BlobId,
  Ed25519KeyPair,
  createRegistryEntry,
  type S5Backend,
  type S5Identity,
} from '@s5chat/s5';

export interface BaselineMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  timestamp: number;
}

export interface BaselineConversation {
  id: string;
  messages: BaselineMessage[];
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** Counters the bench reads; the strategy itself exposes nothing like this. */
export interface BaselineCounters {
  /** Save attempts rejected with "Revision number too low". */
  revisionErrors: number;
  /** Saves that gave up after the third attempt. */
  failedSaves: number;
}

/** Registry key namespace of the baseline, so it never touches s5chat's keys. */
const KEY_NAMESPACE = 's5chat-bench-baseline';
const MAX_ATTEMPTS = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class NaiveConversationStore {
  readonly counters: BaselineCounters = { revisionErrors: 0, failedSaves: 0 };
  private readonly backend: S5Backend;
  private readonly identity: S5Identity;
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly keys = new Map<string, Ed25519KeyPair>();

  constructor(opts: { backend: S5Backend; identity: S5Identity }) {
    this.backend = opts.backend;
    this.identity = opts.identity;
  }

  /** Load, push, save — the whole conversation, every time. */
  appendMessage(conversationId: string, message: BaselineMessage): Promise<void> {
    return this.withChain(conversationId, async () => {
      const now = Date.now();
      const conversation = (await this.loadUnlocked(conversationId)) ?? {
        id: conversationId,
        messages: [],
        metadata: {},
        createdAt: now,
        updatedAt: now,
      };
      conversation.messages.push(message);
      conversation.updatedAt = now;
      await this.saveWithRetry(conversation);
    });
  }

  /** Whole-snapshot save through the same chain (used to seed long conversations in one write). */
  saveConversation(conversation: BaselineConversation): Promise<void> {
    return this.withChain(conversation.id, () => this.saveWithRetry(conversation));
  }

  loadConversation(conversationId: string): Promise<BaselineConversation | null> {
    return this.loadUnlocked(conversationId);
  }

  /** The common "lock": a promise chain per id that swallows a failed predecessor. */
  private withChain<T>(conversationId: string, op: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(conversationId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(op);
    this.chains.set(conversationId, next);
    return next;
  }

  private keyPair(conversationId: string): Ed25519KeyPair {
    let kp = this.keys.get(conversationId);
    if (!kp) {
      kp = Ed25519KeyPair.fromSeed(this.identity.deriveSeed(KEY_NAMESPACE, conversationId));
      this.keys.set(conversationId, kp);
    }
    return kp;
  }

  private async loadUnlocked(conversationId: string): Promise<BaselineConversation | null> {
    const entry = await this.backend.registryGet(this.keyPair(conversationId).publicKey);
    if (!entry) return null;
    const bytes = await this.backend.downloadBlob(BlobId.decode(entry.data));
    return JSON.parse(new TextDecoder().decode(bytes)) as BaselineConversation;
  }

  /**
   * The retry the field ships: match on the error's text, back off 200 ms then 400 ms, and
   * re-send the same snapshot. Each attempt re-reads the revision and writes revision + 1 — so a
   * snapshot taken before another writer's save wins against it without any error.
   */
  private async saveWithRetry(conversation: BaselineConversation): Promise<void> {
    const snapshot = new TextEncoder().encode(JSON.stringify(conversation));
    const keyPair = this.keyPair(conversation.id);
    for (let attempt = 1; ; attempt++) {
      try {
        const blobId = await this.backend.uploadBlob(snapshot);
        const current = await this.backend.registryGet(keyPair.publicKey);
        const revision = current ? current.revision + 1 : 1;
        await this.backend.registrySet(createRegistryEntry({ keyPair, revision, data: blobId.bytes }));
        return;
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        const isRevisionError = text.includes('Revision number too low');
        if (isRevisionError) this.counters.revisionErrors++;
        if (!isRevisionError || attempt >= MAX_ATTEMPTS) {
          this.counters.failedSaves++;
          throw err;
        }
        await sleep(100 * 2 ** attempt);
      }
    }
  }
}

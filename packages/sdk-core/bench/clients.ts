/**
 * One interface over the things the bench compares, so every scenario drives them the same way:
 * s5chat (`createSdk` → StorageManager) and the baseline (naive-conversation-store.ts), plain and
 * with the reference client's read caches.
 * Each client owns its own PortalClient so the bench can read that client's request and byte
 * counters; the devnode's counters give the same figures from the server side.
 */
import { PortalClient, S5Identity } from '@s5chat/s5';
import { createSdk, type LiveOptions } from '../src/index';
import { NaiveConversationStore, type BaselineConversation } from './baseline/naive-conversation-store';
import { withReferenceReadCache } from './baseline/reference-read-cache';

/**
 * `baseline` is the field's strategy exactly as issue 6 specifies it, on our uncached client (five
 * round trips per append). `baselineCached` is the same strategy with the reference client's read
 * caches (reference-read-cache.ts): two round trips per append, which reproduces the reference's
 * published timings. Both are reported so no ratio depends on picking the slower one.
 */
export type Side = 's5chat' | 'baseline' | 'baselineCached';
export const SIDES: readonly Side[] = ['s5chat', 'baseline', 'baselineCached'];

export interface BenchMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  timestamp: number;
}

export interface PortalCounters {
  requests: number;
  bytesUploaded: number;
  bytesDownloaded: number;
  retries: number;
}

export interface ChatClient {
  readonly side: Side;
  /** Resolves when the client reports the message durable ("acknowledged"). */
  append(conversationId: string, message: BenchMessage): Promise<void>;
  /**
   * Puts many messages into a conversation before a measurement. s5chat: `appendMessage` in
   * concurrent waves of `waveSize` (group commit turns each wave into a few writes, the way a
   * fast stream grows a conversation). Baseline: one whole-snapshot save (its per-append cost is
   * the size of the whole conversation however it was written, so this only saves bench time).
   */
  seed(conversationId: string, messages: BenchMessage[], waveSize: number): Promise<void>;
  /** Ids of the stored messages in stored order; [] when the conversation does not exist. */
  loadMessageIds(conversationId: string): Promise<string[]>;
  /** An id for a conversation that does not exist yet (s5chat: `storage.newConversationId()`). */
  newConversationId(): string;
  /**
   * Calls `onIds` with the ids of messages another device committed to `conversationId` (new or
   * changed), as soon as this client learns of them. s5chat: `storage.watch` over the transport
   * chosen at open (`live`). Baselines: the field's SDKs have no watch, so the UI reloads the whole
   * conversation every `reloadMs` and diffs ids — what an app on them has to do.
   */
  watch(conversationId: string, onIds: (ids: string[]) => void): () => void;
  /** Reads the conversation list (s5chat; the baselines keep none). */
  listConversations(): Promise<void>;
  /** Registers/logs in the portal account so timed phases never include sign-up. */
  warmUp(): Promise<void>;
  /** Revision conflicts this client saw (s5chat: 'conflict' events; baseline: "too low" errors). */
  conflicts(): number;
  portalStats(): PortalCounters;
  close(): Promise<void>;
}

export interface ClientOptions {
  portalUrl: string;
  seedPhrase: string;
  deviceId: string;
  encryption: 'on' | 'off';
  /** s5chat only: group-commit linger; null = SDK default. */
  lingerMs: number | null;
  /** s5chat only: how watch learns of other devices' commits (default: the SDK's 'auto'). */
  live?: LiveOptions;
  /** s5chat only: StorageManager `listUpdate` (default: the SDK's own). */
  listUpdate?: 'follow' | 'with-write';
  /** s5chat only: StorageManager `deviceLogs` (one append log per device; default off). */
  deviceLogs?: boolean;
  /** s5chat only: `createSdk({ freshIdentity })` — the phrase was generated just now. */
  freshIdentity?: boolean;
  /** Baselines only: the reload interval of `watch` (default 1,000 ms, s5chat's polling floor). */
  reloadMs?: number;
}

export async function openClient(side: Side, opts: ClientOptions): Promise<ChatClient> {
  return side === 's5chat' ? openS5chat(opts) : openBaseline(side, opts);
}

async function openS5chat(opts: ClientOptions): Promise<ChatClient> {
  const identity = S5Identity.fromSeedPhrase(opts.seedPhrase);
  const backend = new PortalClient({ portalUrl: opts.portalUrl, identity });
  const sdk = await createSdk({
    portalUrl: opts.portalUrl,
    identity,
    backend,
    deviceId: opts.deviceId,
    encryption: opts.encryption,
    outbox: false, // measure the write path itself, never a parked write
    ...(opts.freshIdentity ? { freshIdentity: true } : {}),
    ...(opts.live ? { live: opts.live } : {}),
    ...(opts.listUpdate || opts.deviceLogs
      ? { storage: { ...(opts.listUpdate ? { listUpdate: opts.listUpdate } : {}), ...(opts.deviceLogs ? { deviceLogs: true } : {}) } }
      : {}),
    ...(opts.lingerMs !== null ? { lingerMs: opts.lingerMs } : {}),
  });
  let conflicts = 0;
  const unsubscribe = sdk.storage.on('conflict', () => {
    conflicts++;
  });
  return {
    side: 's5chat',
    async append(conversationId, message) {
      await sdk.storage.appendMessage(conversationId, message);
    },
    async seed(conversationId, messages, waveSize) {
      for (let i = 0; i < messages.length; i += waveSize) {
        const wave = messages.slice(i, i + waveSize);
        await Promise.all(wave.map((m) => sdk.storage.appendMessage(conversationId, m)));
      }
    },
    async loadMessageIds(conversationId) {
      const conversation = await sdk.storage.loadConversation(conversationId);
      return conversation ? conversation.messages.map((m) => m.id) : [];
    },
    watch(conversationId, onIds) {
      return sdk.storage.watch(conversationId, (e) => onIds(e.messages.map((m) => m.id)), { initial: true });
    },
    newConversationId: () => sdk.storage.newConversationId(),
    async listConversations() {
      await sdk.storage.listConversations();
    },
    warmUp: () => backend.login(),
    conflicts: () => conflicts,
    portalStats: () => backend.stats(),
    async close() {
      unsubscribe();
      await sdk.close();
    },
  };
}

async function openBaseline(side: 'baseline' | 'baselineCached', opts: ClientOptions): Promise<ChatClient> {
  const identity = S5Identity.fromSeedPhrase(opts.seedPhrase);
  const backend = new PortalClient({ portalUrl: opts.portalUrl, identity });
  const store = new NaiveConversationStore({ backend: side === 'baselineCached' ? withReferenceReadCache(backend) : backend, identity });
  return {
    side,
    append: (conversationId, message) => store.appendMessage(conversationId, message),
    async seed(conversationId, messages) {
      const now = Date.now();
      const existing = await store.loadConversation(conversationId);
      const conversation: BaselineConversation = existing ?? {
        id: conversationId,
        messages: [],
        metadata: {},
        createdAt: now,
        updatedAt: now,
      };
      conversation.messages.push(...messages);
      conversation.updatedAt = now;
      await store.saveConversation(conversation);
    },
    async loadMessageIds(conversationId) {
      const conversation = await store.loadConversation(conversationId);
      return conversation ? conversation.messages.map((m) => m.id) : [];
    },
    watch: (conversationId, onIds) => reloadLoop(() => store.loadConversation(conversationId), opts.reloadMs ?? 1_000, onIds),
    newConversationId: () => `bench-new-${globalThis.crypto.randomUUID()}`,
    listConversations: async () => {},
    warmUp: () => backend.login(),
    conflicts: () => store.counters.revisionErrors,
    portalStats: () => backend.stats(),
    close: async () => {},
  };
}

/**
 * The baselines' "watch": reload the whole conversation every `intervalMs` (sequentially: a reload
 * slower than the interval delays the next one) and report ids not seen before. Errors are
 * skipped like a UI's refresh would; the next tick tries again.
 */
function reloadLoop(load: () => Promise<BaselineConversation | null>, intervalMs: number, onIds: (ids: string[]) => void): () => void {
  const seen = new Set<string>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const conversation = await load();
      const fresh = (conversation?.messages ?? []).map((m) => m.id).filter((id) => !seen.has(id));
      for (const id of fresh) seen.add(id);
      if (fresh.length > 0 && !stopped) onIds(fresh);
    } catch {
      // a failed refresh shows nothing new; the next one retries
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** Options of the StorageManager (the façade in storage-manager.ts). */
import type { S5Backend } from '@s5chat/s5';
import type { CrossTabOptions } from './concurrency/cross-tab.js';
import type { CompactionPolicy } from './layout/compaction.js';
import type { SeedDeriver } from './layout/keys.js';
import type { LiveOptions } from './live/index.js';
import type { OutboxSetting } from './outbox/index.js';
import type { DeviceLogsOption } from './device-logs/device-logs.js';
import type { Limits, SaveOptions } from './schemas.js';
import type { RetryOptions } from './write/types.js';

export interface StorageManagerOptions {
  backend: S5Backend;
  /** Derives per-conversation keys (an S5Identity). */
  identity: SeedDeriver;
  /** Encrypt heads and segments (default 'on'). */
  encryption?: 'on' | 'off';
  /** Names this device in metadata clocks and heads (default: random). */
  deviceId?: string;
  /** Wait this long before every group-commit write to grow batches (default 0). */
  lingerMs?: number;
  /**
   * 'when-unknown' (default): a write skips the registry read when this manager knows the latest
   * entry (its own last write, a fresh `newConversationId()`, a read under 5 s old) — a wrong
   * guess costs one rejected set and the normal retry. 'always': read before every write.
   */
  readBeforeWrite?: 'when-unknown' | 'always';
  /**
   * The identity was created just now (generateSeedPhrase(), Wallet.createRandom()): nothing is
   * stored under it yet. Reads of keys this manager has not written are answered "nothing" without
   * a request (no 404s; no ≈ 2 s miss on Dart) and first writes go to revision 1 unread. A wrong
   * claim costs one rejected set and the normal retry, never data; any sign of another writer ends
   * it (fresh-identity.ts). Default false.
   */
  freshIdentity?: boolean;
  /**
   * Called once when a fresh identity stops being fresh: just before its first write is sent, or
   * when another writer shows up. An app that remembers "fresh" across reloads forgets it here.
   */
  onFreshIdentityUsed?: () => void;
  /**
   * Under sustained traffic (operations queued while the previous write was in flight), wait about
   * this long (±25 %, jittered) before the next write so it carries more operations (default 200).
   * An append to an idle conversation never waits. 0 = pure leader/follower.
   */
  busyLingerMs?: number;
  /**
   * After lost registry races, later writes to that conversation wait an extra, growing, jittered
   * pause (doubling up to this many ms, halving on clean writes) so contending devices take turns
   * instead of colliding again (default 2000; 0 disables).
   */
  contentionBackoffMaxMs?: number;
  /**
   * 'with-write' (default): a write that creates, deletes or renames a conversation resolves only
   * once its list entry is stored too (for a new conversation one more registry write in series).
   * 'follow': the list entry is written right after the conversation, off the acknowledgement —
   * this manager's own listConversations waits for it, other devices see it a round trip or two
   * later (list/conversation-index.ts: semantics and recovery; docs/BENCHMARKS.md: burst figures).
   */
  listUpdate?: 'follow' | 'with-write';
  retry?: RetryOptions;
  /** Injected sleep for retry waits (tests: fake timers or no-wait). */
  sleep?: (ms: number) => Promise<void>;
  limits?: Partial<Limits>;
  /** Give up waiting for a conversation lock after this many ms (default: wait). */
  lockTimeoutMs?: number;
  /** Cross-tab coordination; false disables; default auto-detects Web Locks + BroadcastChannel. */
  crossTab?: false | Partial<Omit<CrossTabOptions, 'instanceId'>>;
  compaction?: Partial<CompactionPolicy> & { enabled?: boolean; idleMs?: number };
  /** Parallel segment downloads per load (default 6). */
  readConcurrency?: number;
  /** Segment cache budget in bytes (default 32 MiB). */
  cacheBytes?: number;
  now?: () => number;
  /** Live updates (watch / watchConversations): how they reach this device (default 'auto'). */
  live?: LiveOptions;
  /** Durable outbox for writes made while the portal is unreachable (default 'auto'; false = fail fast). */
  outbox?: OutboxSetting;
  /** Node: where the 'auto' outbox keeps its files (omitted: in memory). */
  outboxDir?: string;
  /**
   * Device logs (device-logs/): this manager's appends go to its own log (a registry key derived
   * from the conversation and `logId`, default `deviceId`), listed once in the conversation's main
   * head, so devices appending at once never race for one key. Reads always merge the logs a
   * conversation lists, whatever this option. Default false.
   */
  deviceLogs?: DeviceLogsOption;
  /** Outbox resend backoff (defaults 1000 → 30000 ms, jittered). */
  outboxRetry?: { initialMs?: number; maxMs?: number };
}

/** Options of saveConversation / updateMetadata (every write also takes `operationId`). */
export interface WriteOptions extends SaveOptions {}


/**
 * @s5chat/sdk-core — revision-safe chat conversation storage on S5.
 */
export { createSdk, SDK_STORAGE_METHODS, type CreateSdkOptions, type Sdk, type SdkStorageMethods } from './sdk.js';
export { StorageManager, type StorageManagerOptions, type RetryOptions, type WriteOptions } from './storage-manager.js';
export { SessionManager, Session, type SessionStatus, type StreamOptions, type SendOptions, type WriteResult } from './sessions.js';
export * from './schemas.js';
export * from './errors.js';
export * from './events.js';
export type { WatchEvent, WatchSource, WatchOptions, ConversationsWatchEvent, LiveOptions, LiveTransportMode } from './live/index.js';
export {
  MemoryOutboxStore,
  FileOutboxStore,
  IndexedDbOutboxStore,
  type Outbox,
  type OutboxEvent,
  type OutboxRecord,
  type OutboxStore,
  type OutboxSetting,
  type QueuedResult,
} from './outbox/index.js';
export type { Metrics, MetricsSnapshot, Counters } from './metrics.js';
export { MemoryBackend, type MemoryBackendOptions, type MemoryBackendStats, type MemoryFaults, type MemoryCall, type MemoryCallName } from './backend/memory-backend.js';
export { KeyedMutex, type LockInfo, type LockOptions } from './concurrency/keyed-mutex.js';
export { createCrossTab, type CrossTabCoordinator, type CrossTabOptions, type LockManagerLike, type BroadcastChannelLike } from './concurrency/cross-tab.js';
export {
  mergeMessageLists,
  compareMessageVersions,
  compareMessageOrder,
  pickMessage,
  mergeMetadataStates,
  mergeMetadataKey,
  type Clock,
  type MetadataState,
} from './merge.js';
export { applyOps, emptyState, type Op, type ConversationState, type ApplyResult } from './ops.js';
export { planCompaction, DEFAULT_COMPACTION, type CompactionPolicy } from './layout/compaction.js';
export { deriveConversationKeys, deriveIndexKeys, type DocumentKeys, type SeedDeriver } from './layout/keys.js';
export { PLAINTEXT_MAGIC } from './layout/codec.js';
export type { Head, SegmentRef } from './layout/head.js';
export type { S5Backend } from '@s5chat/s5';
// What an app needs to make an identity, so one install (`@s5chat/sdk-core`) is enough.
// identityFromWallet is a plain function (not a static method) so apps without a wallet tree-shake it away.
export { generateSeedPhrase, validateSeedPhrase, isValidSeedPhrase, S5Identity, identityFromWallet, type MessageSigner } from '@s5chat/s5';

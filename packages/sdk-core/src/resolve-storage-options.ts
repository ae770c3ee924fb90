/**
 * StorageManagerOptions → the values the façade wires its collaborators with: required options
 * checked, defaults filled in. Bad configuration fails here, at construction, as a ValidationError
 * — never later inside a write.
 */
import { revisionRetryDelays, sleep as s5sleep, ValidationError } from '@s5chat/s5';
import { DEFAULT_COMPACTION } from './layout/compaction.js';
import { ConversationReader } from './layout/reader.js';
import { resolveLimits } from './schemas.js';
import type { StorageManagerOptions } from './storage-options.js';
import { uuidv7 } from './util/uuidv7.js';

export type ResolvedStorageOptions = ReturnType<typeof resolveStorageOptions>;

export function resolveStorageOptions(opts: StorageManagerOptions) {
  if (!opts || !opts.backend) throw new ValidationError([{ path: 'backend', message: 'an S5Backend is required' }]);
  if (!opts.identity || typeof opts.identity.deriveSeed !== 'function') {
    throw new ValidationError([{ path: 'identity', message: 'expected an S5Identity (deriveSeed)' }]);
  }
  const limits = resolveLimits(opts.limits);
  const retry = opts.retry ?? {};
  revisionRetryDelays(retry); // validate early: a bad retry config is a ValidationError now, not later
  const pr = retry.progressRetries;
  if (pr !== undefined && !(Number.isInteger(pr) && pr >= 0 && pr <= 32)) {
    throw new ValidationError([{ path: 'retry.progressRetries', message: 'expected an integer in 0..32' }]);
  }
  // Whole milliseconds: stored timestamps are integers, and a fractional `now` must not make
  // acknowledged messages unreadable.
  const rawNow = opts.now ?? Date.now;
  return {
    backend: opts.backend,
    encrypted: (opts.encryption ?? 'on') !== 'off',
    deviceId: opts.deviceId ?? uuidv7(),
    limits,
    retry,
    sleep: opts.sleep ?? ((ms: number) => s5sleep(ms)),
    rawNow,
    now: () => Math.floor(rawNow()),
    compaction: { ...DEFAULT_COMPACTION, ...(opts.compaction ?? {}), enabled: opts.compaction?.enabled ?? true },
  };
}

/** The reader's options: only those the caller set (the reader keeps its own defaults). */
export function readerOptions(
  opts: StorageManagerOptions,
  onDownload: (conversationId: string, bytes: number) => void,
): ConstructorParameters<typeof ConversationReader>[0] {
  const o: ConstructorParameters<typeof ConversationReader>[0] = { backend: opts.backend, onDownload };
  if (opts.readConcurrency !== undefined) o.readConcurrency = opts.readConcurrency;
  if (opts.cacheBytes !== undefined) o.cacheBytes = opts.cacheBytes;
  return o;
}

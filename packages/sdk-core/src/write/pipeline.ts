/**
 * The StorageManager's write side wired together: the conversation list (list/), compaction
 * (maintenance/), the pacer, the ConversationWriter (`_saveConversationInternal`, the one writer)
 * and the commit queue that feeds them. Device logs are not conversations: the list follows main
 * heads only, and a log's folded operations come from device-logs/.
 */
import type { CrossTabCoordinator } from '../concurrency/cross-tab.js';
import type { KeyedMutex } from '../concurrency/keyed-mutex.js';
import { isLogKeyId, type DeviceLogs } from '../device-logs/device-logs.js';
import type { GroupCommitter } from '../group-commit.js';
import type { SeedDeriver } from '../layout/keys.js';
import { ConversationIndex } from '../list/conversation-index.js';
import { Compactor } from '../maintenance/compactor.js';
import type { MaintenanceTracker } from '../maintenance/tracker.js';
import type { ResolvedStorageOptions } from '../resolve-storage-options.js';
import type { StorageResult } from '../schemas.js';
import type { StorageManagerOptions } from '../storage-options.js';
import { createCommitQueue } from './commit-queue.js';
import { ConversationWriter } from './conversation-writer.js';
import { WritePacer } from './pacing.js';
import type { Item, WriteDeps } from './types.js';

export interface WritePipelineParts extends Pick<WriteDeps, 'registry' | 'reader' | 'metrics' | 'events'> {
  identity: SeedDeriver;
  locks: KeyedMutex;
  crossTab: CrossTabCoordinator;
  maintenance: MaintenanceTracker;
  logs: DeviceLogs;
}

export interface WritePipeline {
  index: ConversationIndex;
  committer: GroupCommitter<Item, StorageResult>;
}

export function createWritePipeline(opts: StorageManagerOptions, r: ResolvedStorageOptions, p: WritePipelineParts): WritePipeline {
  const deps: WriteDeps = {
    backend: r.backend,
    registry: p.registry,
    reader: p.reader,
    metrics: p.metrics,
    events: p.events,
    retry: r.retry,
    sleep: r.sleep,
    deviceId: r.deviceId,
    limits: r.limits,
  };
  // The index and the compactor submit through the queue built last.
  const committer = () => queue;
  const index = new ConversationIndex({
    ...deps,
    identity: p.identity,
    encrypted: r.encrypted,
    locks: p.locks,
    committer,
    maintenance: p.maintenance,
    awaitUpdates: opts.listUpdate !== 'follow',
  });
  const compactor = new Compactor({ ...deps, policy: r.compaction, committer, maintenance: p.maintenance });
  const pacer = new WritePacer({
    lingerMs: opts.lingerMs ?? 0,
    busyLingerMs: opts.busyLingerMs ?? 200,
    contentionMaxMs: opts.contentionBackoffMaxMs ?? 2000,
    random: opts.retry?.random ?? Math.random,
    now: r.rawNow,
  });
  const writer = new ConversationWriter({
    ...deps,
    locks: p.locks,
    crossTab: p.crossTab,
    pacer,
    compaction: r.compaction,
    updateIndex: (id, applied, revision) => (isLogKeyId(id) ? Promise.resolve() : index.update(id, applied, revision)),
    indexDirty: (id) => !isLogKeyId(id) && index.isDirty(id),
    logOps: p.logs.foldOps(r.now),
    maybeCompact: (id, head) => compactor.maybeCompact(id, head),
  });
  const queue: GroupCommitter<Item, StorageResult> = createCommitQueue({
    writer,
    index,
    pacer,
    metrics: p.metrics,
    sleep: r.sleep,
    lazyDelayMs: opts.compaction?.idleMs ?? 500,
  });
  return { index, committer: queue };
}

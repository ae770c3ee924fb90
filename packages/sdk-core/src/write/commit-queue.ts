/**
 * The StorageManager's one GroupCommitter: conversation writes (batched per conversation, paced by
 * write/pacing.ts, never mixing encrypted and plaintext operations in one batch) and the
 * conversation list's own key (INDEX_KEY: never lingers, carries no weight).
 */
import { GroupCommitter, type Settled } from '../group-commit.js';
import type { MetricsRecorder } from '../metrics.js';
import type { StorageResult } from '../schemas.js';
import type { WritePacer } from './pacing.js';
import { INDEX_KEY, MAX_BATCH_BYTES, type Item } from './types.js';

export interface CommitQueueDeps {
  writer: { commit(conversationId: string, items: Item[]): Promise<Settled<StorageResult>[]> };
  index: { commit(items: Item[]): Promise<Settled<StorageResult>[]> };
  pacer: WritePacer;
  metrics: MetricsRecorder;
  sleep: (ms: number) => Promise<void>;
  /** Delay of lazy (maintenance) work once the queue is idle. */
  lazyDelayMs: number;
}

export function createCommitQueue(d: CommitQueueDeps): GroupCommitter<Item, StorageResult> {
  return new GroupCommitter<Item, StorageResult>({
    commit: (key, items) => (key === INDEX_KEY ? d.index.commit(items) : d.writer.commit(key, items)),
    fullBatch: 8, // a busy linger exists to grow batches; eight queued ops already make one worth writing
    lingerFor: (key, busy) => (key === INDEX_KEY ? 0 : d.pacer.lingerFor(key, busy)),
    lazyDelayMs: d.lazyDelayMs,
    sleep: d.sleep,
    batchKey: (item) => (item.target === 'conversation' ? (item.encrypted ? 'enc' : 'plain') : 'index'),
    weight: (item) => (item.target === 'conversation' ? item.weight : 0),
    maxBatchWeight: MAX_BATCH_BYTES,
    onDepth: (key, depth) => {
      if (key !== INDEX_KEY) d.metrics.queueDepth(key, depth);
    },
  });
}

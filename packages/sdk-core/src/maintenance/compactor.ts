/**
 * Compaction, as maintenance (never in the acknowledgement path): merge the planned segments and
 * upload the result outside the lock, then queue the swap "replace A,B,C by D" as a lazy
 * operation that rides along with the next user write. Like every op it is re-applied on re-read
 * and skipped if A,B,C are gone.
 */
import type { GroupCommitter } from '../group-commit.js';
import { planCompaction, type CompactionPolicy } from '../layout/compaction.js';
import type { Head } from '../layout/head.js';
import { buildSegment, segmentLevel } from '../layout/segments.js';
import { mergeMessageLists } from '../merge.js';
import type { StorageResult } from '../schemas.js';
import type { Item, WriteDeps } from '../write/types.js';
import type { MaintenanceTracker } from './tracker.js';

export interface CompactorDeps extends Pick<WriteDeps, 'backend' | 'registry' | 'reader' | 'metrics' | 'events'> {
  policy: CompactionPolicy & { enabled: boolean };
  committer: () => GroupCommitter<Item, StorageResult>;
  maintenance: MaintenanceTracker;
}

export class Compactor {
  readonly #d: CompactorDeps;
  readonly #running = new Set<string>();

  constructor(deps: CompactorDeps) {
    this.#d = deps;
  }

  maybeCompact(conversationId: string, head: Head): void {
    const d = this.#d;
    if (!d.policy.enabled || head.deleted || this.#running.has(conversationId) || d.maintenance.closed) return;
    const plan = planCompaction(head.segments, d.policy);
    if (!plan) return;
    this.#running.add(conversationId);
    const task = (async () => {
      const keys = d.registry.keysFor(conversationId);
      const wanted = new Set(plan);
      const refs = head.segments.filter((s) => wanted.has(s.hash));
      const lists = await d.reader.segmentMessages(conversationId, keys, refs);
      const merged = mergeMessageLists(...lists);
      const level = Math.max(segmentLevel(merged.length, d.policy.fanout), ...refs.map((r) => r.level + 1));
      // Plaintext only if every merged segment was plaintext: a later plaintext write must not make
      // compaction rewrite messages that were stored encrypted in the clear.
      const encrypt = head.encrypted || !d.reader.allPlaintext(refs);
      const built = buildSegment(conversationId, merged, encrypt ? keys.encryptionKey : null, level);
      await d.backend.uploadBlob(built.bytes);
      d.metrics.add(conversationId, 'bytesUploaded', built.bytes.length);
      d.reader.rememberSegment(built.ref, merged, encrypt);
      await d.committer().submit(
        conversationId,
        { target: 'conversation', op: { kind: 'compact', epoch: head.epoch, replace: plan, with: built.ref }, encrypted: head.encrypted },
        { lazy: true },
      );
    })()
      .catch((error: unknown) => {
        d.events.emit('error', { conversationId, error, during: 'compaction', operations: 1 });
      })
      .finally(() => {
        this.#running.delete(conversationId);
      });
    d.maintenance.track(task);
  }
}

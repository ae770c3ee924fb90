/**
 * Compaction, as maintenance (never in the acknowledgement path): merge the planned segments and
 * upload the result outside the lock, then queue the swap "replace A,B,C by D" as a lazy
 * operation that rides along with the next user write. Like every op it is re-applied on re-read
 * and skipped if A,B,C are gone.
 */
import { isS5ChatError } from '@s5chat/s5';
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

/**
 * Largest sum of input segment sizes one compaction merges: its output must upload (portals refuse
 * 32–34 MB; the devnode 16 MiB). A larger plan is skipped, not retried after every write.
 */
export const MAX_COMPACTION_BYTES = 8 * 1024 * 1024;

export class Compactor {
  readonly #d: CompactorDeps;
  readonly #running = new Set<string>();
  /** Plans whose upload or swap failed: not tried again by this manager (bounded). */
  readonly #failed = new Set<string>();

  constructor(deps: CompactorDeps) {
    this.#d = deps;
  }

  maybeCompact(conversationId: string, head: Head): void {
    const d = this.#d;
    if (!d.policy.enabled || head.deleted || this.#running.has(conversationId) || d.maintenance.closed) return;
    const plan = planCompaction(head.segments, d.policy);
    if (!plan) return;
    const wanted = new Set(plan);
    const bytes = head.segments.reduce((n, s) => n + (wanted.has(s.hash) ? s.size : 0), 0);
    const planKey = `${conversationId}:${plan.join(',')}`;
    if (bytes > MAX_COMPACTION_BYTES || this.#failed.has(planKey)) return;
    this.#running.add(conversationId);
    const task = (async () => {
      const keys = d.registry.keysFor(conversationId);
      const refs = head.segments.filter((s) => wanted.has(s.hash));
      const lists = await d.reader.segmentMessages(conversationId, keys, refs, head.epoch);
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
        { target: 'conversation', op: { kind: 'compact', epoch: head.epoch, replace: plan, with: built.ref }, encrypted: head.encrypted, weight: 0 },
        { lazy: true },
      );
    })()
      .catch((error: unknown) => {
        // A refusal that will not change (too large, invalid) is not worth another try; a
        // transient fault is (the next write plans again).
        if (isS5ChatError(error) && (error.code === 'VALIDATION' || error.code === 'UPLOAD_TOO_LARGE')) {
          if (this.#failed.size >= 1024) this.#failed.clear();
          this.#failed.add(planKey);
        }
        d.events.emit('error', { conversationId, error, during: 'compaction', operations: 1 });
      })
      .finally(() => {
        this.#running.delete(conversationId);
      });
    d.maintenance.track(task);
  }
}

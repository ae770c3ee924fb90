/**
 * The write loop of a conversation. `commit` is one group-commit write (lock → write → list and
 * compaction follow-ups); `_saveConversationInternal` is the ONLY code that writes a conversation:
 * registry read → head + segments → applyOps → upload one head (new messages in its tail; a delta
 * segment too only when they do not fit: layout/tail.ts) → registry set revision+1. A lost race
 * waits revisionRetryDelays() and re-reads + re-applies.
 */
import { uuidv7 } from '../util/uuidv7.js';
import {
  BlobId,
  blake3,
  concatBytes,
  createRegistryEntry,
  fromBase64Url,
  revisionRetryDelays,
  RevisionTooLowError,
  toBase64Url,
} from '@s5chat/s5';
import type { KeyedMutex } from '../concurrency/keyed-mutex.js';
import type { CrossTabCoordinator } from '../concurrency/cross-tab.js';
import { EncryptionDowngradeError, RevisionConflictError, withOperation } from '../errors.js';
import { messageIdsOf } from './intake.js';
import type { Settled } from '../group-commit.js';
import { encodeDocument } from '../layout/codec.js';
import type { CompactionPolicy } from '../layout/compaction.js';
import { HEAD_VERSION, type Head, type SegmentRef } from '../layout/head.js';
import { encodePointer } from '../layout/keys.js';
import { buildSegment, segmentLevel } from '../layout/segments.js';
import { planTail } from '../layout/tail.js';
import { sameMessage } from '../merge.js';
import { applyOps, type ApplyResult, type ConversationState, type Op } from '../ops.js';
import { encodeWindow } from '../applied-ops.js';
import type { Message, StorageResult } from '../schemas.js';
import { onRegistrySetError } from './conflicts.js';
import type { WritePacer } from './pacing.js';
import type { Item, WriteDeps, WriteOutcome } from './types.js';

export interface ConversationWriterDeps extends WriteDeps {
  locks: KeyedMutex;
  crossTab: CrossTabCoordinator;
  pacer: WritePacer;
  compaction: CompactionPolicy;
  /** The list entry follows a create, delete or rename (awaited: list visibility). */
  updateIndex: (conversationId: string, state: ApplyResult | ConversationState, revision: number) => Promise<void>;
  indexDirty: (conversationId: string) => boolean;
  maybeCompact: (conversationId: string, head: Head) => void;
  /**
   * Device logs (device-logs/): operations to apply around `ops` in this attempt (a fold of other
   * devices' log messages before, the reset cut after). Their results are not the callers'.
   */
  logOps?: (conversationId: string, state: ConversationState, ops: Op[]) => Promise<{ before: Op[]; after: Op[] } | null>;
}

export class ConversationWriter {
  readonly #d: ConversationWriterDeps;

  constructor(deps: ConversationWriterDeps) {
    this.#d = deps;
  }

  /** One group-commit write for a conversation: lock → write → index/compaction follow-ups. */
  async commit(conversationId: string, items: Item[]): Promise<Settled<StorageResult>[]> {
    const d = this.#d;
    const ops = items.map((i) => i.op as Op);
    const encrypted = items[0]?.target === 'conversation' ? items[0].encrypted : true;
    const keys = d.registry.keysFor(conversationId);
    const progress: WriteProgress = { registrySetSent: false };
    const explicitPlaintext = items.map((i) => i.target === 'conversation' && i.explicitPlaintext === true);
    let outcome: WriteOutcome;
    try {
      outcome = await d.locks.runExclusive(
        conversationId,
        () => d.crossTab.withLock(keys.name, () => this._saveConversationInternal(conversationId, ops, encrypted, progress, explicitPlaintext)),
        { label: `commit ${ops.length} op(s)` },
      );
    } catch (error) {
      d.pacer.writeFailed(conversationId, error instanceof RevisionConflictError);
      d.metrics.add(conversationId, 'failures');
      d.events.emit('error', { conversationId, error, during: ops.every((o) => o.kind === 'compact') ? 'compaction' : 'commit', operations: ops.length });
      return ops.map((op) => ({ ok: false, error: perOpError(op, error, progress) }));
    }
    const { applied, before, result } = outcome;
    d.pacer.writeResolved(conversationId, result.attempts, before.revision, outcome.wrote ? result.revision : null);
    if (outcome.wrote && applied) {
      d.crossTab.announce(keys.name, result.revision);
      const existenceChanged = before.exists !== applied.exists || (applied.reset && applied.exists);
      const landedEarlier = applied.alreadyApplied.some(Boolean);
      if (existenceChanged || applied.titleChanged || landedEarlier || d.indexDirty(conversationId)) {
        // Awaited for the callers of this write (list visibility), but the conversation is already durable.
        await d.updateIndex(conversationId, applied, result.revision);
      }
      if (outcome.head) d.maybeCompact(conversationId, outcome.head);
    } else if (applied && applied.alreadyApplied.some(Boolean) && before.revision > 0) {
      // Applied by an earlier attempt whose reply was lost: that write's list update never ran.
      await d.updateIndex(conversationId, before, before.revision);
    }
    for (const e of outcome.opErrors) {
      // A refused operation fails only its own promise, but fire-and-forget callers learn of it
      // only here: every failure reaches 'error', not just whole-write failures.
      if (e) d.events.emit('error', { conversationId, error: e, during: 'commit', operations: 1 });
      if (e instanceof RevisionConflictError && e.expectedRevision !== undefined) {
        d.metrics.add(conversationId, 'conflicts');
        d.events.emit('conflict', {
          conversationId,
          attempt: 1,
          attemptedRevision: e.expectedRevision + 1,
          currentRevision: before.revision,
          kind: 'expected-revision',
        });
      }
    }
    return outcome.opErrors.map((e, i) => {
      if (e) return { ok: false, error: e };
      const op = ops[i]!;
      return { ok: true, value: op.kind !== 'compact' && op.id !== undefined ? { ...result, operationId: op.id } : result };
    });
  }

  /**
   * The ONLY code that writes a conversation. Reads the latest head from the registry (never a
   * cache), applies `ops`, uploads a head (plus a delta segment only when the new messages do not
   * fit its tail), sets revision+1. A lost race waits
   * revisionRetryDelays() and re-reads + re-applies; after the last attempt: RevisionConflictError.
   * Transient faults are the s5 client's job and are not retried again here.
   */
  async _saveConversationInternal(
    conversationId: string,
    ops: Op[],
    requestedEncryption: boolean,
    progress: WriteProgress = { registrySetSent: false },
    explicitPlaintext: boolean[] = [],
  ): Promise<WriteOutcome> {
    const d = this.#d;
    const keys = d.registry.keysFor(conversationId);
    const { delays, extra } = retrySchedule(d.retry);
    let progressed = 0;
    let lastRead = -1;
    const userOps = ops.filter((o) => o.kind !== 'compact').length;
    let bytesUploaded = 0;
    // The delta segment of an earlier attempt: reused when the re-applied delta is identical.
    let uploaded: { ref: SegmentRef; byId: Map<string, Message>; reset: boolean; encrypted: boolean } | undefined;
    for (let attempt = 1; ; attempt++) {
      // No read when this manager knows the latest entry (fresh id, own last write): registry-view.ts.
      const { entry, guessed } = await d.registry.forWrite(conversationId, keys, attempt);
      const read = await d.reader.read(conversationId, keys, entry);
      const { state } = read;
      progress.lastReadStale = d.registry.isBehind(conversationId, state.revision);
      if (lastRead >= 0 && state.revision > lastRead) progressed++;
      lastRead = state.revision;
      const maxAttempts = delays.length - extra + 1 + Math.min(progressed, extra);
      // A conversation stored encrypted stays encrypted: a plaintext head would carry its earlier
      // metadata in the clear. Only an explicit plaintext overwrite (it replaces everything) may
      // switch it; other explicit plaintext operations are refused.
      const storedEncrypted = state.revision > 0 && state.encrypted;
      const plainOverwrite = ops.some((op, i) => explicitPlaintext[i] && op.kind === 'save' && op.mode === 'overwrite');
      const encrypted = requestedEncryption || (storedEncrypted && !plainOverwrite);
      const refuse = (op: Op, i: number) =>
        explicitPlaintext[i] && storedEncrypted && !plainOverwrite && op.kind !== 'compact' ? new EncryptionDowngradeError(conversationId) : undefined;
      const around = d.logOps ? await d.logOps(conversationId, state, ops) : null;
      const applied = around
        ? applyAround(state, ops, around, { deviceId: d.deviceId, limits: d.limits, newEpoch: uuidv7, refuse })
        : applyOps(state, ops, { deviceId: d.deviceId, limits: d.limits, newEpoch: uuidv7, refuse });
      const base = { conversationId, encrypted, bytesUploaded, attempts: attempt, batchSize: ops.length };
      const conflict = { conversationId, attempt, maxAttempts, delays, seenRevision: state.revision };
      if (!applied.changed) {
        if (guessed) {
          // "Nothing to do" is an answer only from a real read (another device may have changed it).
          d.registry.doubt(conversationId);
          attempt--;
          continue;
        }
        if (d.registry.isBehind(conversationId, state.revision)) {
          // "Nothing to do" judged on an entry older than one we already saw is not an answer: it
          // resolves nothing. Treat it as a lost race (same schedule, same give-up), re-read and retry.
          const stale = new RevisionTooLowError({ attemptedRevision: state.revision + 1, currentRevision: d.registry.floor(conversationId) });
          await onRegistrySetError(d, stale, conflict);
          continue;
        }
        d.metrics.add(conversationId, 'noops', userOps);
        return {
          result: {
            ...base,
            revision: state.revision,
            messageCount: state.exists ? applied.liveCount : 0,
            // nothing stored yet: the mode this write would have used (emptyState's default says nothing)
            encrypted: state.revision > 0 ? state.encrypted : encrypted,
          },
          opErrors: applied.opErrors,
          applied,
          before: state,
          head: null,
          wrote: false,
        };
      }

      // New messages go into the head's tail while it keeps its padded size; else the previous
      // head is listed as a segment (its tail moves out by reference), or — a delta too large for
      // the head — one delta segment is uploaded with it (layout/tail.ts).
      const prev = { head: read.head, hash: read.headHash, size: read.headSize };
      const plan = planTail(
        prev,
        applied,
        (segs, tail) => this.#buildHead(conversationId, applied, segs, encrypted, tail),
        (count) => segmentLevel(count, d.compaction.fanout),
      );
      let segment: { ref: SegmentRef; bytes?: Uint8Array; messages: Message[] } | undefined;
      if (plan.segment) {
        if (uploaded && uploaded.reset === applied.reset && uploaded.encrypted === encrypted && sameDelta(uploaded.byId, plan.segment)) {
          segment = { ref: uploaded.ref, messages: plan.segment };
        } else {
          const level = segmentLevel(plan.segment.length, d.compaction.fanout);
          const built = buildSegment(conversationId, plan.segment, encrypted ? keys.encryptionKey : null, level);
          segment = { ref: built.ref, bytes: built.bytes, messages: plan.segment };
        }
      }
      const head = this.#buildHead(conversationId, applied, segment ? [...plan.segments, segment.ref] : plan.segments, encrypted, plan.tail);
      const headBytes = encodeDocument(head, encrypted ? keys.encryptionKey : null);
      const uploads: Promise<BlobId>[] = [d.backend.uploadBlob(headBytes)];
      if (segment?.bytes) uploads.push(d.backend.uploadBlob(segment.bytes));
      const [headId] = await Promise.all(uploads);
      const attemptBytes = headBytes.length + (segment?.bytes?.length ?? 0);
      bytesUploaded += attemptBytes;
      d.metrics.add(conversationId, 'bytesUploaded', attemptBytes);
      if (segment?.bytes) {
        uploaded = { ref: segment.ref, byId: new Map(segment.messages.map((m) => [m.id, m])), reset: applied.reset, encrypted };
      }

      const next = createRegistryEntry({ keyPair: keys.keyPair, revision: state.revision + 1, data: encodePointer(headId!) });
      d.metrics.add(conversationId, 'registryWrites');
      progress.registrySetSent = true;
      try {
        await d.backend.registrySet(next);
      } catch (error) {
        // A skipped read that was wrong (another writer) takes the normal lost-race path below.
        if (guessed) d.registry.missedGuess(conversationId);
        // While we wait, fetch what the winner wrote (head + new segments) so the re-read after the
        // wait usually finds it cached: the next attempt's read→set window shrinks to ~2 round trips.
        const warm = () => d.registry.get(conversationId, keys).then((e) => d.reader.read(conversationId, keys, e));
        await onRegistrySetError(d, error, { ...conflict, warm });
        continue;
      }

      // Durable. Remember what we wrote so the next read downloads nothing.
      d.registry.wrote(conversationId, next);
      const headHash = toBase64Url(headId!.hash);
      d.reader.remember(conversationId, head, headHash, applied.messages, segment ? { ref: segment.ref, messages: segment.messages } : undefined, headBytes.length);
      const result: StorageResult = {
        conversationId,
        revision: state.revision + 1,
        messageCount: applied.exists ? applied.liveCount : 0,
        encrypted,
        bytesUploaded,
        attempts: attempt,
        batchSize: ops.length,
      };
      this.#recordSuccess(conversationId, result, applied, userOps, attempt);
      return { result, opErrors: applied.opErrors, applied, before: state, head, wrote: true };
    }
  }

  #recordSuccess(conversationId: string, result: StorageResult, applied: ApplyResult, userOps: number, attempt: number): void {
    const { metrics: m, events } = this.#d;
    if (userOps > 0) {
      m.add(conversationId, 'writes');
      m.add(conversationId, 'operationsCommitted', userOps);
    }
    if (applied.compacted > 0) m.add(conversationId, 'compactions');
    m.add(conversationId, 'attempts', attempt);
    if (attempt > 1) {
      m.add(conversationId, 'writesRetried');
      m.add(conversationId, 'writesRetriedOk');
    }
    if (attempt > 1 || applied.keptForeignMessages) {
      m.add(conversationId, 'merges');
      events.emit('merged', {
        conversationId,
        revision: result.revision,
        attempt,
        reason: attempt > 1 ? 'reapplied' : 'foreign-messages',
      });
    }
    // The stored versions ride along so this manager's watchers never report them as another device's.
    events.emit('saved', { ...result, kind: userOps > 0 ? 'commit' : 'compaction', messages: applied.newMessages });
  }

  #buildHead(conversationId: string, a: ApplyResult, segments: SegmentRef[], encrypted: boolean, tail: Message[] = []): Head {
    const head: Head = {
      v: HEAD_VERSION,
      type: 's5chat.head',
      conversationId,
      epoch: a.epoch,
      encrypted,
      metadata: a.exists ? a.metadata.values : {},
      // Kept on a tombstone too: removed keys stay removed for snapshots older than the delete.
      metadataClock: a.metadata.clocks,
      ...(Object.keys(a.logs).length > 0 ? { logs: a.logs } : {}),
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
      segments: a.exists ? segments : [],
      messageCount: a.exists ? a.messageCount : 0,
      contentHash: toBase64Url(blake3(concatBytes(...(a.exists ? segments : []).map((s) => fromBase64Url(s.hash, 'segment.hash'))))),
      writer: this.#d.deviceId,
    };
    if (a.appliedOps.length > 0) head.ops = encodeWindow(a.appliedOps);
    if (a.exists && tail.length > 0) head.tail = tail;
    if (a.deleted) {
      head.deleted = true;
      if (a.deletedAt !== undefined) head.deletedAt = a.deletedAt;
    }
    return head;
  }
}

/**
 * Waits between attempts: revisionRetryDelays() (the single source of the base schedule), then up
 * to `progressRetries` more, each about the last delay (×0.5–1.5), used only while others progress.
 */
function retrySchedule(retry: WriteDeps['retry']): { delays: number[]; extra: number } {
  const base = revisionRetryDelays(retry);
  const extra = base.length === 0 ? 0 : (retry.progressRetries ?? 8);
  const random = retry.random ?? Math.random;
  const last = base[base.length - 1] ?? 0;
  return { delays: [...base, ...Array.from({ length: extra }, () => last * (0.5 + random()))], extra };
}

/** applyOps with device-log ops before and after the callers' ops; per-op results are the callers' only. */
function applyAround(state: ConversationState, ops: Op[], around: { before: Op[]; after: Op[] }, ctx: Parameters<typeof applyOps>[2]): ApplyResult {
  const b = around.before.length;
  const refuse = ctx.refuse;
  const shifted = { ...ctx, refuse: (op: Op, i: number) => (i >= b && i < b + ops.length ? refuse?.(op, i - b) : undefined) };
  const r = applyOps(state, [...around.before, ...ops, ...around.after], shifted);
  r.opErrors = r.opErrors.slice(b, b + ops.length);
  r.alreadyApplied = r.alreadyApplied.slice(b, b + ops.length);
  return r;
}

/** Set once a registry set left this process: from then on a failure has an unknown outcome. */
export interface WriteProgress {
  registrySetSent: boolean;
  /** The last attempt read an entry older than one seen: it could not tell whether an earlier attempt landed. */
  lastReadStale?: boolean;
}

/**
 * The error one operation of a failed write gets: a lost-race give-up names the operation; any
 * other error is the original one naming the operation in `details` (`outcome: 'unknown'` once a
 * registry set was sent: re-submit the same operationId).
 */
function perOpError(op: Op, error: unknown, progress: WriteProgress): unknown {
  if (op.kind === 'compact' || op.id === undefined) return error;
  const messageIds = messageIdsOf(op);
  if (error instanceof RevisionConflictError) {
    const named = error.forOperation(op.id, messageIds);
    // Given up while every read was stale after a set was sent: an earlier attempt may have landed.
    return progress.registrySetSent && progress.lastReadStale ? withOperation(named, { operationId: op.id, messageIds, outcomeUnknown: true }) : named;
  }
  return withOperation(error, { operationId: op.id, messageIds, outcomeUnknown: progress.registrySetSent });
}

function sameDelta(previous: Map<string, Message>, delta: Message[]): boolean {
  if (previous.size !== delta.length) return false;
  for (const m of delta) {
    const p = previous.get(m.id);
    if (!p || !sameMessage(p, m)) return false;
  }
  return true;
}

/**
 * Operations, not snapshots. Every public write becomes one of these objects; a write applies
 * them to the LATEST stored state (re-read from the registry on every attempt), so a retry after a
 * lost race re-applies the intent instead of re-saving a stale copy. An operation whose id is in
 * the state's applied-operations window (applied-ops.ts) is skipped: it was applied already,
 * whatever happened to any reply. Pure: no I/O here.
 */
import { RevisionConflictError } from './errors.js';
import { extendWindow, opDigest } from './applied-ops.js';
import type { MetadataState } from './merge.js';
import { stableStringify } from './merge.js';
import { Draft } from './ops-draft.js';
import { applyOne } from './ops-apply.js';
import type { Limits, Message, NormalizedConversation, OnConflict } from './schemas.js';
import type { SegmentRef } from './layout/head.js';

/** The state a loaded snapshot was taken from: what a snapshot save diffs against. */
export interface SnapshotBase {
  revision: number;
  messages: ReadonlyMap<string, Message>;
  metadata: Record<string, unknown>;
}

/** `id` = the operation id (user operations always have one; tests and maintenance may omit it). */
export type Op =
  /** `fold`: device-logs/ copying log messages into the main head (maintenance, not the caller's change). */
  | { kind: 'append'; id?: string; messages: Message[]; at: number; fold?: true; registerLog?: string }
  | {
      kind: 'save';
      id?: string;
      conversation: NormalizedConversation;
      mode: OnConflict;
      expectedRevision?: number;
      /** For a snapshot that carries `revision`: the state at that revision, when known here. */
      base?: SnapshotBase;
      at: number;
    }
  | { kind: 'metadata'; id?: string; patch: Record<string, unknown>; mode: OnConflict; expectedRevision?: number; ifAbsent?: boolean; at: number }
  | { kind: 'delete'; id?: string; at: number }
  | { kind: 'editMessage'; id?: string; messageId: string; patch: { content?: string; metadata?: Record<string, unknown> }; at: number }
  | { kind: 'deleteMessage'; id?: string; messageId: string; at: number }
  /** Maintenance: replace segments `replace` by `with` (same content). Skipped if they are gone. */
  | { kind: 'compact'; epoch: string; replace: string[]; with: SegmentRef }
  /**
   * Device logs (device-logs/): list log `register` in the head; `cuts` (log id → pointer of the
   * log head read by this attempt) is recorded only when an earlier op of the same write reset the
   * conversation (delete, overwrite), so log messages written before the reset stay gone. A
   * registration (at `at`) creates the conversation when absent: its messages are in the log.
   */
  | { kind: 'logs'; id?: undefined; register?: string; cuts?: Record<string, string>; at?: number };

/** The stored state a write starts from (read from the registry + head + segments). */
export interface ConversationState {
  conversationId: string;
  /** Registry revision (0 = nothing stored). */
  revision: number;
  /** A head exists and is not a tombstone. */
  exists: boolean;
  deleted: boolean;
  deletedAt?: number;
  epoch: string;
  encrypted: boolean;
  createdAt: number;
  updatedAt: number;
  metadata: MetadataState;
  /** Messages by id, tombstones of deleted messages included. */
  messages: ReadonlyMap<string, Message>;
  segments: SegmentRef[];
  /** Digests of the last operations applied (applied-ops.ts), oldest first. */
  appliedOps?: readonly string[];
  /** Device logs listed in the head (device-logs/): log id → cut pointer ('' = none). */
  logs?: Readonly<Record<string, string>>;
}

export function emptyState(conversationId: string, revision = 0): ConversationState {
  return {
    conversationId,
    revision,
    exists: false,
    deleted: false,
    epoch: '',
    encrypted: true,
    createdAt: 0,
    updatedAt: 0,
    metadata: { values: {}, clocks: {} },
    messages: new Map(),
    segments: [],
    appliedOps: [],
  };
}

export interface ApplyContext {
  deviceId: string;
  limits: Limits;
  newEpoch: () => string;
  /** Refuse op `i` before it is applied (the writer's say, e.g. an encryption downgrade). */
  refuse?: (op: Op, i: number) => Error | undefined;
}

export interface ApplyResult {
  /** False: the ops change nothing (e.g. a message appended again) — no write needed. */
  changed: boolean;
  /** A new epoch: the write stores all messages afresh (overwrite, delete). */
  reset: boolean;
  exists: boolean;
  deleted: boolean;
  deletedAt?: number;
  epoch: string;
  createdAt: number;
  updatedAt: number;
  metadata: MetadataState;
  /** Segments kept from the stored head (after compaction ops); the new segment comes on top. */
  segments: SegmentRef[];
  /** Messages to store in the new segment: the delta, or everything after a reset. */
  newMessages: Message[];
  /** Message id → message after the write (base + delta; tombstones included). */
  messages: Map<string, Message>;
  /** Entries of `messages` (tombstones included: what the head counts). */
  messageCount: number;
  /** Messages that are not deleted. */
  liveCount: number;
  /** Per op: undefined = applied (or harmless no-op), Error = refused (only that op fails). */
  opErrors: (Error | undefined)[];
  /** Per op: its id was in the applied-operations window (applied by an earlier write). */
  alreadyApplied: boolean[];
  /** The applied-operations window after this write. */
  appliedOps: string[];
  /** A save met stored messages it did not contain (concurrent appends were kept). */
  keptForeignMessages: boolean;
  created: boolean;
  deletedNow: boolean;
  /** The conversation's title (metadata.title) differs from before. */
  titleChanged: boolean;
  /** Compaction ops that found their segments and were applied. */
  compacted: number;
  /** Device logs the new head lists (device-logs/). */
  logs: Record<string, string>;
}

export function applyOps(state: ConversationState, ops: Op[], ctx: ApplyContext): ApplyResult {
  const d = new Draft(state, ctx);
  const window = state.appliedOps ?? [];
  const seen = new Set(window);
  const added: string[] = [];
  const opErrors: (Error | undefined)[] = [];
  const alreadyApplied: boolean[] = [];
  const initialTitle = state.exists ? stableStringify(state.metadata.values.title) : undefined;

  for (const [i, op] of ops.entries()) {
    const digest = op.kind !== 'compact' && op.kind !== 'logs' && op.id !== undefined ? opDigest(op.id) : undefined;
    if (digest !== undefined && seen.has(digest)) {
      opErrors.push(undefined);
      alreadyApplied.push(true);
      continue;
    }
    alreadyApplied.push(false);
    const refused = ctx.refuse?.(op, i) ?? optimisticMismatch(state, op, d);
    if (refused) {
      opErrors.push(refused);
      continue;
    }
    const before = d.mutations;
    const error = applyOne(d, op);
    opErrors.push(error);
    if (!error && d.mutations > before && op.kind !== 'compact' && op.kind !== 'logs' && !(op.kind === 'append' && op.fold)) {
      d.userChanged = true;
      if (digest !== undefined) {
        seen.add(digest);
        added.push(digest);
      }
    }
  }

  const messages = d.reset ? new Map(d.changes) : new Map([...state.messages, ...d.changes]);
  let liveCount = 0;
  for (const m of messages.values()) if (!m.deleted) liveCount++;
  const finalTitle = d.exists ? stableStringify(d.metadata.values.title) : undefined;
  const result: ApplyResult = {
    changed: d.changed,
    reset: d.reset,
    exists: d.exists,
    deleted: d.deleted,
    epoch: d.epoch,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    metadata: d.metadata,
    segments: d.segments,
    newMessages: [...d.changes.values()],
    messages,
    messageCount: d.count,
    liveCount,
    opErrors,
    alreadyApplied,
    appliedOps: extendWindow(window, added),
    keptForeignMessages: d.keptForeign,
    created: d.created && !state.exists,
    deletedNow: d.deletedNow && state.exists,
    titleChanged: d.exists && initialTitle !== finalTitle,
    compacted: d.compacted,
    logs: d.logs,
  };
  if (d.deletedAt !== undefined) result.deletedAt = d.deletedAt;
  return result;
}

/**
 * onConflict 'fail': the op applies only to exactly `expectedRevision` — not to a newer stored
 * revision, and not after another operation of the same write changed the state first (that op's
 * revision is the one this op would be judged against).
 */
function optimisticMismatch(state: ConversationState, op: Op, d: Draft): RevisionConflictError | undefined {
  if ((op.kind !== 'save' && op.kind !== 'metadata') || op.mode !== 'fail' || op.expectedRevision === undefined) return undefined;
  const current = d.userChanged ? state.revision + 1 : state.revision;
  if (op.expectedRevision === current && !d.userChanged) return undefined;
  return new RevisionConflictError({
    conversationId: state.conversationId,
    attempts: 1,
    lastSeenRevision: state.revision,
    currentRevision: current,
    expectedRevision: op.expectedRevision,
  });
}

/**
 * Operations, not snapshots. Every public write becomes one of these objects; a write applies
 * them to the LATEST stored state (re-read from the registry on every attempt), so a retry after a
 * lost race re-applies the intent instead of re-saving a stale copy. Pure: no I/O here.
 */
import { ConversationDeletedError, RevisionConflictError, ValidationError } from './errors.js';
import { type Clock, mergeMessageInto, mergeMetadataKey, stableStringify, type MetadataState } from './merge.js';
import type { Limits, Message, NormalizedConversation, OnConflict } from './schemas.js';
import type { SegmentRef } from './layout/head.js';

export type Op =
  | { kind: 'append'; messages: Message[]; at: number }
  | {
      kind: 'save';
      conversation: NormalizedConversation;
      mode: OnConflict;
      expectedRevision?: number;
      at: number;
    }
  | { kind: 'metadata'; patch: Record<string, unknown>; mode: OnConflict; expectedRevision?: number; at: number }
  | { kind: 'delete'; at: number }
  /** Maintenance: replace segments `replace` by `with` (same content). Skipped if they are gone. */
  | { kind: 'compact'; epoch: string; replace: string[]; with: SegmentRef };

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
  messages: ReadonlyMap<string, Message>;
  segments: SegmentRef[];
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
  };
}

export interface ApplyContext {
  deviceId: string;
  limits: Limits;
  newEpoch: () => string;
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
  /** Message id → message after the write (base + delta). */
  messages: Map<string, Message>;
  messageCount: number;
  /** Per op: undefined = applied (or harmless no-op), Error = refused (only that op fails). */
  opErrors: (Error | undefined)[];
  /** A save met stored messages it did not contain (concurrent appends were kept). */
  keptForeignMessages: boolean;
  created: boolean;
  deletedNow: boolean;
  /** The conversation's title (metadata.title) differs from before. */
  titleChanged: boolean;
  /** Compaction ops that found their segments and were applied. */
  compacted: number;
}

const device = (ctx: ApplyContext, t: number): Clock => [t, ctx.deviceId];

export function applyOps(state: ConversationState, ops: Op[], ctx: ApplyContext): ApplyResult {
  let exists = state.exists;
  let deleted = state.deleted;
  let deletedAt = state.deletedAt;
  let epoch = state.epoch;
  let createdAt = state.createdAt;
  let updatedAt = state.updatedAt;
  let metadata: MetadataState = { values: { ...state.metadata.values }, clocks: { ...state.metadata.clocks } };
  let segments = [...state.segments];
  let reset = false;
  let changed = false;
  let created = false;
  let deletedNow = false;
  let keptForeign = false;
  let compacted = 0;
  // Copy-on-write view of the messages: `changes` on top of the stored map (ignored after a reset).
  let changes = new Map<string, Message>();
  let count = state.messages.size;
  const get = (id: string) => changes.get(id) ?? (reset ? undefined : state.messages.get(id));
  const opErrors: (Error | undefined)[] = [];

  const put = (m: Message): boolean => {
    const current = get(m.id);
    if (current === undefined) {
      changes.set(m.id, m);
      count++;
      return true;
    }
    const probe = new Map([[m.id, current]]);
    if (!mergeMessageInto(probe, m)) return false;
    changes.set(m.id, m);
    return true;
  };
  const ensureExists = (at: number, createdHint?: number) => {
    if (exists) return;
    if (!epoch) epoch = ctx.newEpoch();
    exists = true;
    deleted = false;
    deletedAt = undefined;
    createdAt = createdHint !== undefined ? Math.min(createdHint, at) : at;
    updatedAt = at;
    created = true;
    changed = true;
  };
  const startFresh = () => {
    reset = true;
    changes = new Map();
    count = 0;
    segments = [];
    epoch = ctx.newEpoch();
  };
  const wouldExceed = (messages: Message[]) => {
    let extra = 0;
    for (const m of messages) if (get(m.id) === undefined) extra++;
    return count + extra > ctx.limits.maxMessages;
  };
  const tooMany = () =>
    new ValidationError([{ path: 'messages', message: `the conversation would exceed ${ctx.limits.maxMessages} messages` }]);
  const expectedMismatch = (expected: number | undefined) =>
    expected !== undefined && expected !== state.revision
      ? new RevisionConflictError({
          conversationId: state.conversationId,
          attempts: 1,
          lastSeenRevision: state.revision,
          currentRevision: state.revision,
          expectedRevision: expected,
        })
      : undefined;

  const initialTitle = state.exists ? stableStringify(state.metadata.values.title) : undefined;

  for (const op of ops) {
    switch (op.kind) {
      case 'append': {
        if (wouldExceed(op.messages)) {
          opErrors.push(tooMany());
          continue;
        }
        ensureExists(op.at);
        let any = false;
        for (const m of op.messages) if (put(m)) any = true;
        if (any) {
          changed = true;
          updatedAt = Math.max(updatedAt, op.at);
        }
        opErrors.push(undefined);
        break;
      }
      case 'save': {
        const mismatch = op.mode === 'fail' ? expectedMismatch(op.expectedRevision) : undefined;
        if (mismatch) {
          opErrors.push(mismatch);
          continue;
        }
        const c = op.conversation;
        const snapshotTime = c.updatedAt ?? op.at;
        if (op.mode === 'overwrite') {
          if (c.messages.length > ctx.limits.maxMessages) {
            opErrors.push(tooMany());
            continue;
          }
          startFresh();
          exists = true;
          deleted = false;
          deletedAt = undefined;
          createdAt = c.createdAt ?? op.at;
          updatedAt = Math.max(op.at, c.updatedAt ?? 0);
          metadata = { values: {}, clocks: {} };
          for (const [k, v] of Object.entries(c.metadata)) mergeMetadataKey(metadata, k, v, device(ctx, op.at));
          for (const m of c.messages) put(m);
          changed = true;
          opErrors.push(undefined);
          continue;
        }
        // merge (and 'fail' once the revision matched): union, never delete unknown messages.
        if (wouldExceed(c.messages)) {
          opErrors.push(tooMany());
          continue;
        }
        ensureExists(op.at, c.createdAt);
        if (c.createdAt !== undefined && c.createdAt < createdAt) {
          createdAt = c.createdAt;
          changed = true;
        }
        const snapshotIds = new Set(c.messages.map((m) => m.id));
        if (!reset) for (const id of state.messages.keys()) if (!snapshotIds.has(id)) keptForeign = true;
        for (const [id, m] of changes) if (!snapshotIds.has(id) && m) keptForeign = true;
        let any = false;
        for (const m of c.messages) if (put(m)) any = true;
        for (const [k, v] of Object.entries(c.metadata)) {
          if (mergeMetadataKey(metadata, k, v, device(ctx, snapshotTime))) any = true;
        }
        if (any) {
          changed = true;
          updatedAt = Math.max(updatedAt, snapshotTime);
        }
        opErrors.push(undefined);
        break;
      }
      case 'metadata': {
        const mismatch = op.mode === 'fail' ? expectedMismatch(op.expectedRevision) : undefined;
        if (mismatch) {
          opErrors.push(mismatch);
          continue;
        }
        if (deleted && !exists) {
          opErrors.push(new ConversationDeletedError(state.conversationId));
          continue;
        }
        ensureExists(op.at);
        // An explicit update is the newest intent: its clock beats every stored clock of the key,
        // even from a device whose clock runs ahead.
        const clockFor = (k: string): Clock => {
          const cur = metadata.clocks[k];
          return device(ctx, cur && cur[0] >= op.at ? cur[0] + 1 : op.at);
        };
        let any = false;
        if (op.mode === 'overwrite') {
          const next: MetadataState = { values: {}, clocks: {} };
          for (const [k, v] of Object.entries(op.patch)) mergeMetadataKey(next, k, v, clockFor(k));
          if (stableStringify(next.values) !== stableStringify(metadata.values)) any = true;
          metadata = next;
        } else {
          for (const [k, v] of Object.entries(op.patch)) {
            // Setting a key to the value it already has is a no-op (no write, no clock bump).
            if (k in metadata.values && stableStringify(metadata.values[k]) === stableStringify(v)) continue;
            if (mergeMetadataKey(metadata, k, v, clockFor(k))) any = true;
          }
        }
        if (any) {
          changed = true;
          updatedAt = Math.max(updatedAt, op.at);
        }
        opErrors.push(undefined);
        break;
      }
      case 'delete': {
        if (!exists) {
          opErrors.push(undefined);
          continue;
        }
        startFresh();
        exists = false;
        deleted = true;
        deletedAt = op.at;
        deletedNow = true;
        metadata = { values: {}, clocks: {} };
        updatedAt = Math.max(updatedAt, op.at);
        changed = true;
        opErrors.push(undefined);
        break;
      }
      case 'compact': {
        const present = new Set(segments.map((s) => s.hash));
        if (reset || !exists || epoch !== op.epoch || !op.replace.every((h) => present.has(h))) {
          opErrors.push(undefined); // skipped: those segments are gone; nothing to do
          continue;
        }
        const gone = new Set(op.replace);
        const at = segments.findIndex((s) => gone.has(s.hash));
        const kept = segments.filter((s) => !gone.has(s.hash));
        kept.splice(Math.min(at, kept.length), 0, op.with);
        segments = kept;
        compacted++;
        changed = true;
        opErrors.push(undefined);
        break;
      }
    }
  }

  const messages = reset ? new Map(changes) : new Map([...state.messages, ...changes]);
  const finalTitle = exists ? stableStringify(metadata.values.title) : undefined;
  const result: ApplyResult = {
    changed,
    reset,
    exists,
    deleted,
    epoch,
    createdAt,
    updatedAt,
    metadata,
    segments,
    newMessages: [...changes.values()],
    messages,
    messageCount: count,
    opErrors,
    keptForeignMessages: keptForeign,
    created: created && !state.exists,
    deletedNow: deletedNow && state.exists,
    titleChanged: exists && initialTitle !== finalTitle,
    compacted,
  };
  if (deletedAt !== undefined) result.deletedAt = deletedAt;
  return result;
}

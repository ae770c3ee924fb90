/**
 * How each kind of operation changes a draft (ops-draft.ts). Returns an Error when the operation
 * is refused (only that operation fails, nothing of it is applied), undefined otherwise.
 */
import { ConversationDeletedError, MessageNotFoundError, ValidationError } from './errors.js';
import { compareMessageVersions, messageVersion, sameMessage, stableStringify, tombstoneOf, type Clock } from './merge.js';
import type { Draft } from './ops-draft.js';
import type { Op } from './ops.js';
import { applySnapshotDiff } from './ops-snapshot.js';
import type { Message } from './schemas.js';

export function applyOne(d: Draft, op: Op): Error | undefined {
  switch (op.kind) {
    case 'append':
      return append(d, op.messages, op.at, op.registerLog);
    case 'save':
      if (op.mode === 'overwrite') return overwrite(d, op);
      if (op.conversation.revision !== undefined) return applySnapshotDiff(d, op);
      return unionSave(d, op);
    case 'metadata':
      return metadata(d, op);
    case 'delete':
      return deleteConversation(d, op.at);
    case 'editMessage':
      return editMessage(d, op);
    case 'deleteMessage':
      return deleteMessage(d, op);
    case 'compact':
      return compact(d, op);
    case 'logs':
      return logs(d, op);
  }
}

/** Device logs (device-logs/): registrations only grow; cuts are taken only by a reset in this write. */
function logs(d: Draft, op: Op & { kind: 'logs' }): Error | undefined {
  if (op.register !== undefined && !(op.register in d.logs)) {
    // The log's first append is being written in parallel: the conversation exists from now on.
    d.ensureExists(op.at ?? d.updatedAt);
    d.logs[op.register] = '';
    d.mark();
  }
  if (d.reset && op.cuts) {
    for (const [log, pointer] of Object.entries(op.cuts)) {
      if (log in d.logs && d.logs[log] !== pointer) {
        d.logs[log] = pointer;
        d.mark();
      }
    }
  }
  return undefined;
}

function append(d: Draft, messages: Message[], at: number, registerLog?: string): Error | undefined {
  if (d.wouldExceed(messages)) return d.tooMany();
  const ambiguous = messages.findIndex((m) => losesAtSameVersion(d.get(m.id), m));
  if (ambiguous >= 0) {
    const m = messages[ambiguous]!;
    return new ValidationError([
      {
        path: `messages.${ambiguous}`,
        message: `"${m.id}" is stored with other content at this version; use editMessage or a higher updatedAt`,
      },
    ]);
  }
  d.ensureExists(at);
  let any = false;
  for (const m of messages) if (d.put(m)) any = true;
  if (any) d.touch(at);
  // A device's first append to a conversation lists its log (device-logs/) in the same write.
  if (registerLog !== undefined && !(registerLog in d.logs)) {
    d.logs[registerLog] = '';
    d.mark();
  }
  return undefined;
}

function overwrite(d: Draft, op: Op & { kind: 'save' }): Error | undefined {
  const c = op.conversation;
  if (c.messages.length > d.ctx.limits.maxMessages) return d.tooMany();
  const t = d.hybridTime(op.at);
  d.startFresh();
  d.exists = true;
  d.deleted = false;
  d.deletedAt = undefined;
  d.createdAt = c.createdAt ?? op.at;
  d.updatedAt = Math.max(op.at, c.updatedAt ?? 0);
  d.replaceMetadata(c.metadata, t);
  for (const m of c.messages) d.put(m);
  d.mark();
  return undefined;
}

/**
 * A save without a revision: the union with what is stored (never deletes messages it did not
 * know about); its metadata keys carry the snapshot's updatedAt as their clock, so they win only
 * over keys written before that time (wall clock — a loaded snapshot, with `revision`, diffs instead).
 */
function unionSave(d: Draft, op: Op & { kind: 'save' }): Error | undefined {
  const c = op.conversation;
  const snapshotTime = c.updatedAt ?? op.at;
  if (d.wouldExceed(c.messages)) return d.tooMany();
  d.ensureExists(op.at, c.createdAt);
  if (c.createdAt !== undefined && c.createdAt < d.createdAt) {
    d.createdAt = c.createdAt;
    d.mark();
  }
  noteForeign(d, new Set(c.messages.map((m) => m.id)));
  let any = false;
  for (const m of c.messages) if (d.put(m)) any = true;
  const clock: Clock = [snapshotTime, d.ctx.deviceId];
  for (const [k, v] of Object.entries(c.metadata)) if (d.setKey(k, v, clock[0])) any = true;
  if (any) d.touch(snapshotTime);
  return undefined;
}

/** Flag a save that met stored messages it did not contain (concurrent appends were kept). */
export function noteForeign(d: Draft, snapshotIds: Set<string>): void {
  if (!d.reset) for (const [id, m] of d.state.messages) if (!snapshotIds.has(id) && !m.deleted) d.keptForeign = true;
  for (const [id, m] of d.changes) if (!snapshotIds.has(id) && !m.deleted) d.keptForeign = true;
}

function metadata(d: Draft, op: Op & { kind: 'metadata' }): Error | undefined {
  if (d.deleted && !d.exists) return new ConversationDeletedError(d.state.conversationId);
  d.ensureExists(op.at);
  // An explicit update is the newest intent: its hybrid clock is above every clock it has seen,
  // even from a device whose clock runs ahead.
  const t = d.hybridTime(op.at);
  let any = false;
  if (op.mode === 'overwrite') {
    const before = stableStringify(d.metadata.values);
    d.replaceMetadata(op.patch, t);
    if (stableStringify(d.metadata.values) !== before) any = true;
  } else {
    for (const [k, v] of Object.entries(op.patch)) {
      const has = k in d.metadata.values;
      if (op.ifAbsent && has) continue;
      // Setting a key to the value it already has is a no-op (no write, no clock bump).
      if (has && stableStringify(d.metadata.values[k]) === stableStringify(v)) continue;
      if (d.setKey(k, v, t)) any = true;
    }
  }
  if (any) d.touch(op.at);
  return undefined;
}

function deleteConversation(d: Draft, at: number): Error | undefined {
  if (!d.exists) return undefined;
  // Metadata keys become tombstones (a stale snapshot saved later cannot bring them back).
  const t = d.hybridTime(at);
  d.startFresh();
  d.exists = false;
  d.deleted = true;
  d.deletedAt = at;
  d.deletedNow = true;
  d.replaceMetadata({}, t);
  d.touch(at);
  return undefined;
}

/**
 * A re-sent id whose content differs from the stored version at the same version stamp and loses
 * the tie-break (e.g. shorter): storing nothing while acknowledging would report a change that
 * never happens. A lower version is just superseded (a late streaming checkpoint), not an error.
 */
function losesAtSameVersion(current: Message | undefined, m: Message): boolean {
  if (!current || current.deleted || sameMessage(current, m)) return false;
  return messageVersion(current) === messageVersion(m) && compareMessageVersions(m, current) < 0;
}

/** The next version stamp of a message edited at `at` after seeing `current`. */
export function nextVersion(current: Message, at: number): number {
  return Math.max(at, messageVersion(current) + 1);
}

function editMessage(d: Draft, op: Op & { kind: 'editMessage' }): Error | undefined {
  const current = d.exists ? d.get(op.messageId) : undefined;
  if (!current || current.deleted) return new MessageNotFoundError(d.state.conversationId, op.messageId, current?.deleted === true);
  const next: Message = { ...current, updatedAt: nextVersion(current, op.at) };
  if (op.patch.content !== undefined) next.content = op.patch.content;
  if (op.patch.metadata !== undefined) next.metadata = op.patch.metadata;
  const same = next.content === current.content && stableStringify(next.metadata) === stableStringify(current.metadata);
  if (same) return undefined;
  d.put(next);
  d.touch(op.at);
  return undefined;
}

function deleteMessage(d: Draft, op: Op & { kind: 'deleteMessage' }): Error | undefined {
  const current = d.exists ? d.get(op.messageId) : undefined;
  if (!current) return new MessageNotFoundError(d.state.conversationId, op.messageId, false);
  if (current.deleted) return undefined; // already deleted: the same outcome
  d.put(tombstoneOf(current, nextVersion(current, op.at)));
  d.touch(op.at);
  return undefined;
}

function compact(d: Draft, op: Op & { kind: 'compact' }): Error | undefined {
  const present = new Set(d.segments.map((s) => s.hash));
  if (d.reset || !d.exists || d.epoch !== op.epoch || !op.replace.every((h) => present.has(h))) return undefined; // those segments are gone
  const gone = new Set(op.replace);
  const at = d.segments.findIndex((s) => gone.has(s.hash));
  const kept = d.segments.filter((s) => !gone.has(s.hash));
  kept.splice(Math.min(at, kept.length), 0, op.with);
  d.segments = kept;
  d.compacted++;
  d.mark();
  return undefined;
}

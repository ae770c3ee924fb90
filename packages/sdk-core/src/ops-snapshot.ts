/**
 * Saving a loaded snapshot (it carries `revision`): apply what the caller changed relative to that
 * revision and keep what others wrote since.
 *
 * Against the base (the state at the snapshot's revision): a message not in the base is added; a
 * message that differs from its base version is an edit (a new version above the stored one, so
 * it wins — unless the message was deleted since: a delete is final); a base message missing from
 * the snapshot is deleted (tombstone); a metadata key that differs from the base is set, a base key
 * missing from the snapshot is removed, both with a hybrid clock above everything stored.
 * Untouched messages and keys are not written at all, so a stale snapshot never reverts anything.
 */
import { ConversationDeletedError, StaleSnapshotError } from './errors.js';
import { sameMessage, stableStringify, tombstoneOf } from './merge.js';
import type { Draft } from './ops-draft.js';
import type { Op, SnapshotBase } from './ops.js';
import { nextVersion, noteForeign } from './ops-apply.js';
import type { Message } from './schemas.js';

export function applySnapshotDiff(d: Draft, op: Op & { kind: 'save' }): Error | undefined {
  const c = op.conversation;
  const revision = c.revision!;
  const state = d.state;
  const base: SnapshotBase | undefined =
    op.base ?? (revision === state.revision ? { revision, messages: state.messages, metadata: state.metadata.values } : undefined);
  if (!base) return new StaleSnapshotError(state.conversationId, revision, state.revision);
  if (revision > 0 && !d.exists) return new ConversationDeletedError(state.conversationId);
  const added = c.messages.filter((m) => !base.messages.has(m.id));
  if (d.wouldExceed(added)) return d.tooMany();
  d.ensureExists(op.at, c.createdAt);
  noteForeign(d, new Set(c.messages.map((m) => m.id)));

  let any = false;
  const inSnapshot = new Set<string>();
  for (const m of c.messages) {
    inSnapshot.add(m.id);
    const was = base.messages.get(m.id);
    if (!was || was.deleted) {
      if (d.put(m)) any = true;
      continue;
    }
    if (sameMessage(was, withoutVersionChange(m, was))) continue; // untouched by the caller
    const current = d.get(m.id);
    if (!current || current.deleted) continue; // deleted since: a delete is final
    const edited: Message = { ...m, updatedAt: Math.max(nextVersion(current, op.at), m.updatedAt ?? 0) };
    if (d.put(edited)) any = true;
  }
  for (const [id, was] of base.messages) {
    if (was.deleted || inSnapshot.has(id)) continue;
    const current = d.get(id);
    if (!current || current.deleted) continue;
    if (d.put(tombstoneOf(current, nextVersion(current, op.at)))) any = true;
  }

  const t = d.hybridTime(op.at);
  for (const [k, v] of Object.entries(c.metadata)) {
    if (k in base.metadata && stableStringify(base.metadata[k]) === stableStringify(v)) continue;
    if (k in d.metadata.values && stableStringify(d.metadata.values[k]) === stableStringify(v)) continue;
    if (d.setKey(k, v, t)) any = true;
  }
  for (const k of Object.keys(base.metadata)) {
    if (k in c.metadata || !(k in d.metadata.values)) continue;
    if (d.deleteKey(k, t)) any = true;
  }
  if (any) d.touch(op.at);
  return undefined;
}

/** `m` as the caller left it, with the base's version stamp (a snapshot edit rarely bumps it). */
function withoutVersionChange(m: Message, base: Message): Message {
  const out: Message = { ...m };
  if (base.updatedAt === undefined) delete out.updatedAt;
  else out.updatedAt = base.updatedAt;
  return out;
}

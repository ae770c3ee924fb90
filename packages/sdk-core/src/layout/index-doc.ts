/**
 * The conversation list: one document under its own registry key (deriveSeed('s5chat','v1','index')).
 * It is updated on create, delete and title change only (not on every append, so `updatedAt` in
 * the list may lag the conversation). Entries are keyed by id; an update carries the revision of
 * the conversation write that caused it and only a higher revision replaces an entry, so updates
 * applied in any order converge. Deleted conversations stay as tombstones so a late, older
 * "created" update cannot resurrect them.
 */
import * as v from '../validation/schema.js';
import { IntegrityError } from '../errors.js';
import { checkDocument, objectSchema } from '../schemas.js';

export const IndexEntrySchema = objectSchema({
  id: v.string(),
  title: v.optional(v.string()),
  createdAt: v.number(),
  updatedAt: v.number(),
  deleted: v.optional(v.boolean()),
  /** Conversation revision this entry reflects. */
  rev: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
});
export type IndexEntry = v.InferOutput<typeof IndexEntrySchema>;

export const IndexDocSchema = objectSchema({
  v: v.literal(1),
  type: v.literal('s5chat.index'),
  encrypted: v.boolean(),
  entries: v.array(IndexEntrySchema),
});

export interface IndexOp {
  id: string;
  revision: number;
  exists: boolean;
  title?: string;
  createdAt: number;
  updatedAt: number;
}

export function parseIndex(doc: unknown): IndexEntry[] {
  const r = checkDocument(IndexDocSchema, doc);
  if (!r.ok) throw new IntegrityError('The conversation index is malformed.', { details: r.details });
  return r.value.entries;
}

/** Apply updates; returns the new entry list and whether anything changed. */
export function applyIndexOps(entries: IndexEntry[], ops: IndexOp[]): { entries: IndexEntry[]; changed: boolean } {
  const byId = new Map(entries.map((e) => [e.id, e]));
  let changed = false;
  for (const op of ops) {
    const cur = byId.get(op.id);
    if (cur && cur.rev >= op.revision) continue;
    const next: IndexEntry = { id: op.id, createdAt: op.createdAt, updatedAt: op.updatedAt, rev: op.revision };
    if (op.title !== undefined) next.title = op.title;
    if (!op.exists) next.deleted = true;
    byId.set(op.id, next);
    changed = true;
  }
  return { entries: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), changed };
}

/**
 * The head: the small document the registry entry points at, and the commit. It lists the
 * conversation's immutable segments, carries its metadata and the newest messages (`tail`), so an
 * ordinary append uploads only this one padded block (layout/tail.ts) — bytes per append do not
 * grow with the conversation.
 */
import * as v from '../validation/schema.js';
import { IntegrityError } from '../errors.js';
import type { Clock } from '../merge.js';
import { checkDocument, JsonRecordSchema, MessageSchema, objectSchema } from '../schemas.js';

export const HEAD_VERSION = 1;

const count = () => v.pipe(v.number(), v.safeInteger(), v.minValue(0));

export const SegmentRefSchema = objectSchema({
  /** base64url of the segment blob's 32-byte BLAKE3 digest. */
  hash: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)),
  /** Blob size in bytes (with padding). */
  size: count(),
  /** Messages in the segment. */
  count: count(),
  firstTs: v.number(),
  lastTs: v.number(),
  /** Size tier for compaction (0 = a fresh delta). */
  level: count(),
  /**
   * 'head': the blob is an earlier HEAD of this conversation (same epoch) and the messages are its
   * `tail`, moved out of the head by reference instead of by upload (layout/tail.ts). Absent: a
   * segment blob.
   */
  in: v.optional(v.literal('head')),
});
export type SegmentRef = v.InferOutput<typeof SegmentRefSchema>;

const ClockSchema = v.strictTuple([v.number(), v.string()]);

export const HeadSchema = objectSchema({
  v: v.literal(HEAD_VERSION),
  type: v.literal('s5chat.head'),
  conversationId: v.string(),
  /**
   * Content lineage. Within one epoch content only grows (union), so caches apply new segments
   * incrementally; overwrite, delete and re-creation start a new epoch.
   */
  epoch: v.string(),
  encrypted: v.boolean(),
  deleted: v.optional(v.boolean()),
  deletedAt: v.optional(v.number()),
  metadata: JsonRecordSchema,
  metadataClock: v.record(v.string(), ClockSchema),
  createdAt: v.number(),
  updatedAt: v.number(),
  segments: v.array(SegmentRefSchema),
  messageCount: count(),
  /** blake3 over the listed segment digests: a fingerprint of the content this head describes. */
  contentHash: v.string(),
  /**
   * The applied-operations window (applied-ops.ts): 8-character digests of the last operations
   * applied, oldest first, concatenated. Absent in heads written before operation ids existed.
   */
  ops: v.optional(v.pipe(v.string(), v.regex(/^(?:[A-Za-z0-9_-]{8})*$/))),
  /** deviceId of the writer (diagnostics only). */
  writer: v.optional(v.string()),
  // Heads of earlier versions may carry `inline` (a copy of their newest delta segment): it is
  // ignored (stripped by the schema); that segment is listed and read like any other.
  /**
   * The newest messages, stored ONLY here (in no segment) while the head keeps its padded size:
   * an append then uploads one blob, the head, which is also the commit (layout/tail.ts). Part of
   * `messageCount`. Absent in heads written before it existed (their messages are all in segments).
   */
  tail: v.optional(v.array(MessageSchema)),
  /**
   * Device logs (device-logs/): log id → '' or the cut, the base64url registry pointer of the log
   * head a reset (delete, overwrite) saw; log messages in that head stay hidden.
   */
  logs: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)), v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{0,64}$/)))),
});
export type Head = v.InferOutput<typeof HeadSchema> & { metadataClock: Record<string, Clock> };

export function parseHead(doc: unknown, conversationId: string): Head {
  const r = checkDocument(HeadSchema, doc);
  if (!r.ok) throw new IntegrityError(`The head of "${conversationId}" is malformed.`, { conversationId, details: r.details });
  if (r.value.conversationId !== conversationId) {
    throw new IntegrityError(`The head of "${conversationId}" is of another conversation.`, { conversationId });
  }
  return r.value as Head;
}

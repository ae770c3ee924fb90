/**
 * The head: the small document the registry entry points at. It lists the conversation's
 * immutable segments and carries its metadata, so an append re-uploads only this (bounded by
 * compaction) plus one small delta segment — bytes per append do not grow with the conversation.
 */
import { z } from 'zod';
import { IntegrityError } from '../errors.js';
import type { Clock } from '../merge.js';
import { MessageSchema } from '../schemas.js';

export const HEAD_VERSION = 1;

export const SegmentRefSchema = z.object({
  /** base64url of the segment blob's 32-byte BLAKE3 digest. */
  hash: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** Blob size in bytes (with padding). */
  size: z.number().int().nonnegative(),
  /** Messages in the segment. */
  count: z.number().int().nonnegative(),
  firstTs: z.number(),
  lastTs: z.number(),
  /** Size tier for compaction (0 = a fresh delta). */
  level: z.number().int().nonnegative(),
});
export type SegmentRef = z.infer<typeof SegmentRefSchema>;

const ClockSchema = z.tuple([z.number(), z.string()]);

export const HeadSchema = z.object({
  v: z.literal(HEAD_VERSION),
  type: z.literal('s5chat.head'),
  conversationId: z.string(),
  /**
   * Content lineage. Within one epoch content only grows (union), so caches apply new segments
   * incrementally; overwrite, delete and re-creation start a new epoch.
   */
  epoch: z.string(),
  encrypted: z.boolean(),
  deleted: z.boolean().optional(),
  deletedAt: z.number().optional(),
  metadata: z.record(z.string(), z.unknown()),
  metadataClock: z.record(z.string(), ClockSchema),
  createdAt: z.number(),
  updatedAt: z.number(),
  segments: z.array(SegmentRefSchema),
  messageCount: z.number().int().nonnegative(),
  /** blake3 over the listed segment digests: a fingerprint of the content this head describes. */
  contentHash: z.string(),
  /**
   * The applied-operations window (applied-ops.ts): 8-character digests of the last operations
   * applied, oldest first, concatenated. Absent in heads written before operation ids existed.
   */
  ops: z.string().regex(/^(?:[A-Za-z0-9_-]{8})*$/).optional(),
  /** deviceId of the writer (diagnostics only). */
  writer: z.string().optional(),
  /**
   * A copy of the newest delta segment's messages when they are small (the head still fits one
   * 4 KiB block): another device reading this write then needs no segment download, which halves
   * the read→set window of a write racing it.
   */
  inline: z.object({ hash: z.string(), messages: z.array(MessageSchema) }).optional(),
});
export type Head = z.infer<typeof HeadSchema> & { metadataClock: Record<string, Clock> };

export function parseHead(doc: unknown, conversationId: string): Head {
  const r = HeadSchema.safeParse(doc);
  if (!r.success) {
    throw new IntegrityError(`The head of "${conversationId}" is malformed.`, {
      conversationId,
      details: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    });
  }
  if (r.data.conversationId !== conversationId) {
    throw new IntegrityError(`The head read for "${conversationId}" belongs to another conversation.`, { conversationId });
  }
  return r.data as Head;
}

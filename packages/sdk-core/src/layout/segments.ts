/**
 * Segments: immutable blobs of messages. A write uploads one delta segment with only its new or
 * changed messages. Each segment names its conversation inside the (encrypted) document, and the
 * reader checks it, so a segment swapped in from another conversation is refused.
 */
import * as v from '../validation/schema.js';
import { BlobId, toBase64Url } from '@s5chat/s5';
import { IntegrityError } from '../errors.js';
import { checkDocument, MessageSchema, objectSchema, type Message } from '../schemas.js';
import { encodeDocument } from './codec.js';
import type { SegmentRef } from './head.js';

export const SegmentSchema = objectSchema({
  v: v.literal(1),
  type: v.literal('s5chat.segment'),
  conversationId: v.string(),
  encrypted: v.boolean(),
  messages: v.array(MessageSchema),
});

/**
 * Tier of a freshly written segment: floor(log_fanout(count)) — a one-message delta is level 0, a
 * bulk save of 10,000 messages starts high so it is not merged with tiny deltas. Compaction output
 * gets max(that, highest input level + 1).
 */
export function segmentLevel(count: number, fanout: number): number {
  let level = 0;
  for (let cap = fanout; count >= cap; cap *= fanout) level++;
  return level;
}

export interface BuiltSegment {
  bytes: Uint8Array;
  ref: SegmentRef;
}

export function buildSegment(
  conversationId: string,
  messages: Message[],
  encryptionKey: Uint8Array | null,
  level: number,
): BuiltSegment {
  const bytes = encodeDocument(
    { v: 1, type: 's5chat.segment', conversationId, encrypted: encryptionKey !== null, messages },
    encryptionKey,
  );
  const id = BlobId.fromBytes(bytes);
  let firstTs = Infinity;
  let lastTs = -Infinity;
  for (const m of messages) {
    if (m.timestamp < firstTs) firstTs = m.timestamp;
    if (m.timestamp > lastTs) lastTs = m.timestamp;
  }
  return {
    bytes,
    ref: {
      hash: toBase64Url(id.hash),
      size: bytes.length,
      count: messages.length,
      firstTs: messages.length ? firstTs : 0,
      lastTs: messages.length ? lastTs : 0,
      level,
    },
  };
}

export function parseSegment(doc: unknown, conversationId: string, ref: SegmentRef): Message[] {
  const r = checkDocument(SegmentSchema, doc);
  if (!r.ok) {
    throw new IntegrityError(`A segment of "${conversationId}" is malformed.`, { conversationId, details: r.details });
  }
  if (r.value.conversationId !== conversationId) {
    throw new IntegrityError(`A segment listed by "${conversationId}" is of another conversation.`, {
      conversationId,
      details: `segment ${ref.hash}`,
    });
  }
  if (r.value.messages.length !== ref.count) {
    throw new IntegrityError(`A segment of "${conversationId}" holds ${r.value.messages.length} messages, not ${ref.count}.`, {
      conversationId,
    });
  }
  return r.value.messages;
}

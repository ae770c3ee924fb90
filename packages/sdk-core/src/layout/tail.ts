/**
 * Where a write puts its new messages (pure). The floor of a durable write is one blob + one
 * registry set, so the newest messages live in the head itself (its `tail`) while the head still
 * fits its padded size (one 4 KiB block, or the blocks its segment list and metadata need anyway).
 * When the tail would outgrow that, the PREVIOUS head blob — already uploaded, immutable,
 * content-addressed, holding exactly the old tail — is listed as a segment (`in: 'head'`) and the
 * new messages start a new tail: still one upload. A delta too large for one block by itself (a
 * batch of a stream, a long reply) is the tail of a larger head — one upload, padded once — which
 * the next write moves out by reference; only a very large delta (a bulk save, > MAX_TAIL_BYTES)
 * is written as a real segment next to the head, so a retry after a lost race reuses it instead of
 * uploading it again, and heads stay small enough to cache.
 * The head stays the commit: nothing is durable before its registry set, nothing is lost after.
 */
import { MUTABLE_BYTES_OVERHEAD, padFileSize, utf8ToBytes } from '@s5chat/s5';
import type { Message } from '../schemas.js';
import type { Head, SegmentRef } from './head.js';

/** One padded block of the encrypted format (S5 mutable bytes: 4 KiB steps up to 80 KiB). */
export const HEAD_BLOCK_BYTES = 4096;
/** Largest padded head that carries a large delta as its tail; larger deltas become a segment. */
export const MAX_TAIL_HEAD_BYTES = 32 * 1024;

/** The head the write starts from (as read), with its blob's address. */
export interface PreviousHead {
  head: Head | null;
  hash: string | null;
  size: number | null;
}

/** What the write changes (from applyOps). */
export interface TailInput {
  exists: boolean;
  reset: boolean;
  epoch: string;
  /** Segments kept from the stored head (after compaction ops). */
  segments: SegmentRef[];
  /** New or changed messages (everything after a reset). */
  newMessages: Message[];
}

export interface TailPlan {
  /** Segments of the new head, without the new segment (the writer appends its ref once built). */
  segments: SegmentRef[];
  tail: Message[];
  /** Messages for a new segment blob uploaded with the head: the delta did not fit the head. */
  segment?: Message[];
}

/** Padded size of a head document (encrypted format; plaintext heads are measured the same way). */
export function paddedHeadSize(head: Head): number {
  return padFileSize(utf8ToBytes(JSON.stringify(head)).length + MUTABLE_BYTES_OVERHEAD);
}

/**
 * `build(segments, tail)` returns the head the write would upload. A tail may use the room left in
 * the head's blocks, never add a block: the budget is one block, or what the head needs without
 * any tail (large metadata, a long segment list).
 */
export function planTail(
  prev: PreviousHead,
  a: TailInput,
  build: (segments: SegmentRef[], tail: Message[]) => Head,
  levelOf: (count: number) => number,
): TailPlan {
  if (!a.exists) return { segments: [], tail: [] };
  const sameLineage = !a.reset && prev.head !== null && !prev.head.deleted && prev.head.epoch === a.epoch;
  const prevTail = sameLineage ? (prev.head!.tail ?? []) : [];
  const canMove = prevTail.length > 0 && prev.hash !== null && prev.size !== null;
  const moved = canMove ? [...a.segments, headRef(prev.hash!, prev.size!, prevTail, levelOf(prevTail.length))] : a.segments;
  const budget = Math.max(HEAD_BLOCK_BYTES, paddedHeadSize(build(moved, [])));
  // Content length is a lower bound of a message's JSON size: a large delta (a bulk save of
  // thousands of messages) is ruled out without serializing it.
  const fits = (segments: SegmentRef[], tail: Message[], limit = budget) =>
    tail.reduce((n, m) => n + m.content.length, 0) <= limit && paddedHeadSize(build(segments, tail)) <= limit;

  // 1. The old tail plus the delta still fits: one upload, no new segment.
  const grown = mergeTail(prevTail, a.newMessages);
  if (fits(a.segments, grown)) return { segments: a.segments, tail: grown };
  // 2. The old tail moves out by reference to the previous head blob; the delta starts a new tail.
  if (canMove && fits(moved, a.newMessages)) return { segments: moved, tail: a.newMessages };
  if (a.newMessages.length === 0) return canMove ? { segments: moved, tail: [] } : { segments: a.segments, tail: prevTail };
  // 3. The delta alone outgrows one block: it is the tail of a larger head (the old tail moves
  //    out); the next write moves this one out in turn.
  if (fits(moved, a.newMessages, Math.max(budget, MAX_TAIL_HEAD_BYTES))) return { segments: moved, tail: a.newMessages };
  // 4. A very large delta: a delta segment (reusable by a retry: it holds only this write's
  //    messages); the old tail moves out.
  return { segments: moved, tail: [], segment: a.newMessages };
}

/** The old tail with the delta applied: changed messages replaced in place, new ones appended. */
function mergeTail(tail: Message[], delta: Message[]): Message[] {
  if (delta.length === 0) return tail;
  const byId = new Map(delta.map((m) => [m.id, m]));
  const out = tail.map((m) => byId.get(m.id) ?? m);
  const present = new Set(tail.map((m) => m.id));
  for (const m of delta) if (!present.has(m.id)) out.push(m);
  return out;
}

/** A segment ref naming an earlier head blob whose `tail` holds the messages. */
function headRef(hash: string, size: number, tail: Message[], level: number): SegmentRef {
  const ts = tail.map((m) => m.timestamp);
  return { hash, size, count: tail.length, firstTs: Math.min(...ts), lastTs: Math.max(...ts), level, in: 'head' };
}

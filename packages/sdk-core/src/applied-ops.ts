/**
 * The applied-operations window: the exactly-once record of a conversation.
 *
 * Every user operation has an id (WriteOptions.operationId, or one generated before its first
 * attempt). A write records the ids of the operations it applied in the head, so a later attempt
 * — after a lost reply, a lost race, a re-submission of the same operationId — sees "already
 * applied" and does nothing, whatever happened to any reply and whoever wrote since.
 *
 * Bounded: the head keeps the digests of the last APPLIED_WINDOW operations applied to the
 * conversation (by any device). A digest is the first 48 bits of BLAKE3(operation id), 8 base64url
 * characters; the window is stored as one string (oldest first) so it costs 1 KiB of head at most.
 * False "already applied" needs a 48-bit collision with one of 128 recent digests (p ≈ 5·10⁻¹³ per
 * operation). An operation re-submitted after 128 later operations is applied again (documented
 * in CONCURRENCY.md; appends and message edits stay idempotent by message id and version anyway).
 */
import { blake3, toBase64Url, utf8ToBytes } from '@s5chat/s5';

export const APPLIED_WINDOW = 128;
const DIGEST_CHARS = 8;

export function opDigest(operationId: string): string {
  return toBase64Url(blake3(utf8ToBytes(operationId)).subarray(0, 6));
}

export function parseWindow(encoded: string | undefined): string[] {
  if (!encoded) return [];
  const out: string[] = [];
  for (let i = 0; i + DIGEST_CHARS <= encoded.length; i += DIGEST_CHARS) out.push(encoded.slice(i, i + DIGEST_CHARS));
  return out;
}

export function encodeWindow(digests: readonly string[]): string {
  return digests.slice(-APPLIED_WINDOW).join('');
}

/** The window after appending `added` (oldest dropped first). */
export function extendWindow(window: readonly string[], added: readonly string[]): string[] {
  if (added.length === 0) return [...window];
  return [...window, ...added].slice(-APPLIED_WINDOW);
}

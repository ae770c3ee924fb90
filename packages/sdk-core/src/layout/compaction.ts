/**
 * Size-tiered compaction plan (pure). Segments are sets of messages (the reader takes their union),
 * so any group of segments can be merged into one without changing the content.
 *
 * Rule 1 (tiers): when `fanout` segments share a level, merge them into one of a higher level —
 *   every message is rewritten about log_fanout(n) times over its life.
 * Rule 2 (cap): while more than `maxSegments` remain, merge the smallest ones — so loading any
 *   conversation needs at most maxSegments + 2 requests.
 */
import type { SegmentRef } from './head.js';

export interface CompactionPolicy {
  fanout: number;
  maxSegments: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = { fanout: 8, maxSegments: 16 };

/** Hashes of the segments to merge into one, or null when the list is fine as it is. */
export function planCompaction(segments: SegmentRef[], policy: CompactionPolicy): string[] | null {
  const byLevel = new Map<number, SegmentRef[]>();
  for (const s of segments) {
    const list = byLevel.get(s.level) ?? [];
    list.push(s);
    byLevel.set(s.level, list);
  }
  const levels = [...byLevel.keys()].sort((a, b) => a - b);
  for (const level of levels) {
    const list = byLevel.get(level)!;
    if (list.length >= policy.fanout) return list.slice(0, policy.fanout).map((s) => s.hash);
  }
  if (segments.length > policy.maxSegments) {
    const k = Math.max(2, segments.length - policy.maxSegments + 1);
    return [...segments]
      .sort((a, b) => a.size - b.size || (a.hash < b.hash ? -1 : 1))
      .slice(0, k)
      .map((s) => s.hash);
  }
  return null;
}

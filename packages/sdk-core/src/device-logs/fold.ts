/**
 * What a write of the main head applies around the callers' operations when the head lists device
 * logs. Operations that act on existing messages (a snapshot or union save, editMessage,
 * deleteMessage) must see the messages other devices appended to their logs: the log messages the
 * main head lacks are folded in first (an append carried by this write, so head, segments and
 * counts stay consistent). A reset (delete, overwrite) also records a cut per log, so the log
 * messages it removed stay hidden. Appends, metadata and compaction need neither: no log is read.
 */
import { compareMessageVersions } from '../merge.js';
import type { ConversationState, Op } from '../ops.js';
import type { Message } from '../schemas.js';
import { cutOf, type DeviceLogReader } from './log-reader.js';

const NEEDS_MESSAGES = new Set<Op['kind']>(['save', 'editMessage', 'deleteMessage', 'delete']);

export function foldOps(logs: DeviceLogReader, now: () => number) {
  return async (conversationId: string, state: ConversationState, ops: Op[]): Promise<{ before: Op[]; after: Op[] } | null> => {
    if (Object.keys(state.logs ?? {}).length === 0 || !ops.some((o) => NEEDS_MESSAGES.has(o.kind))) return null;
    const resets = ops.some((o) => o.kind === 'delete' || (o.kind === 'save' && o.mode === 'overwrite'));
    const views = await logs.readLogs(conversationId, state, resets);
    const fold: Message[] = [];
    const seen = new Map<string, Message>();
    for (const v of views) {
      for (const m of v.visible) {
        const best = seen.get(m.id);
        if (!best || compareMessageVersions(m, best) > 0) seen.set(m.id, m);
      }
    }
    for (const m of seen.values()) {
      const stored = state.messages.get(m.id);
      if (!stored || compareMessageVersions(m, stored) > 0) fold.push(m);
    }
    const before: Op[] = fold.length > 0 ? [{ kind: 'append', messages: fold, at: now(), fold: true }] : [];
    const after: Op[] = resets ? [{ kind: 'logs', cuts: Object.fromEntries(views.map((v) => [v.logId, cutOf(v)])) }] : [];
    return before.length + after.length > 0 ? { before, after } : null;
  };
}

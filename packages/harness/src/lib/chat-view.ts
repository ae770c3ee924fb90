/**
 * The chat page's view model, kept free of React so its rules can be tested
 * on their own:
 *   - every line has the message id it is stored under (ids are made here,
 *     before the write), so a reload from storage can be merged with what is
 *     still being written instead of replacing it;
 *   - a reply names its question (`metadata.replyTo`) and is shown right after
 *     it, not after every question typed meanwhile;
 *   - the state a line shows says what really happened: sending, queued
 *     (kept in the outbox), saved, stored (read back), streaming, partial
 *     (cut short) or failed.
 */
import type { Message } from '@s5chat/sdk-core';

export type LineState = 'sending' | 'queued' | 'saved' | 'stored' | 'failed';

export interface ChatLine {
  /** The message id (also the React key). */
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  timestamp: number;
  state: LineState;
  /** A reply still being generated in this tab. */
  streaming: boolean;
  /** A reply cut short (session ended, stream aborted): stored with `metadata.partial`. */
  partial: boolean;
  /** A checkpoint of a reply another tab or device is still streaming. */
  remoteStreaming?: boolean;
  /** For replies: the id of the question. */
  replyTo?: string;
  /** A reply not started yet: it waits for the replies to earlier questions. */
  waiting?: boolean;
}

/** A message id that satisfies the SDK's id rules (`[A-Za-z0-9._-]{1,128}`). */
export function newMessageId(): string {
  return globalThis.crypto.randomUUID();
}

export function lineFromStored(m: Message): ChatLine {
  const meta = m.metadata ?? {};
  const line: ChatLine = {
    id: m.id,
    role: m.role,
    content: m.content,
    timestamp: m.timestamp,
    state: 'stored',
    streaming: false,
    partial: meta.partial === true,
  };
  if (meta.streaming === true) line.remoteStreaming = true;
  if (typeof meta.replyTo === 'string') line.replyTo = meta.replyTo;
  return line;
}

/**
 * What storage holds, plus what this tab is still writing. A line stored and
 * still streaming here keeps the longer local text (storage only has the last
 * checkpoint); lines storage does not have yet (sending, queued, failed,
 * streaming) stay. Nothing the user can see disappears on a reload.
 */
export function mergeStored(local: readonly ChatLine[], stored: readonly Message[]): ChatLine[] {
  const localById = new Map(local.map((l) => [l.id, l]));
  const out: ChatLine[] = [];
  const seen = new Set<string>();
  for (const m of stored) {
    const fromStorage = lineFromStored(m);
    const mine = localById.get(m.id);
    seen.add(m.id);
    if (mine?.streaming) {
      out.push({ ...mine, content: mine.content.length >= m.content.length ? mine.content : m.content });
    } else if (mine && mine.state === 'saved' && mine.content.length > m.content.length) {
      // Our write was acknowledged after this read started: keep what we know is stored.
      out.push(mine);
    } else {
      out.push(fromStorage);
    }
  }
  for (const l of local) if (!seen.has(l.id) && l.state !== 'stored') out.push(l);
  return orderForDisplay(out);
}

/**
 * Chronological, except that each reply sits right after its question (and
 * after earlier replies to it). Replies whose question is not in the view
 * stay where their timestamp puts them.
 */
export function orderForDisplay(lines: readonly ChatLine[]): ChatLine[] {
  const byTime = [...lines].sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set(byTime.map((l) => l.id));
  const replies = new Map<string, ChatLine[]>();
  for (const l of byTime) {
    if (l.replyTo && ids.has(l.replyTo) && l.replyTo !== l.id) {
      const list = replies.get(l.replyTo) ?? [];
      list.push(l);
      replies.set(l.replyTo, list);
    }
  }
  const out: ChatLine[] = [];
  const placed = new Set<string>();
  const place = (l: ChatLine) => {
    if (placed.has(l.id)) return;
    placed.add(l.id);
    out.push(l);
    for (const r of replies.get(l.id) ?? []) place(r);
  };
  for (const l of byTime) {
    if (l.replyTo && ids.has(l.replyTo) && l.replyTo !== l.id) continue; // placed after its question
    place(l);
  }
  for (const l of byTime) place(l); // reply cycles, if any, still show
  return out;
}

/**
 * Messages that arrived from another tab or device (a watch event, or a
 * re-read): inserted or updated in place, everything else kept.
 */
export function upsertStored(local: readonly ChatLine[], incoming: readonly Message[]): ChatLine[] {
  const byId = new Map(local.map((l) => [l.id, l]));
  for (const m of incoming) {
    const mine = byId.get(m.id);
    if (mine?.streaming) continue; // this tab is writing it; its text is the newest
    const next = lineFromStored(m);
    if (mine && mine.content.length > next.content.length && !next.partial && next.remoteStreaming) continue; // an older checkpoint
    byId.set(m.id, next);
  }
  return orderForDisplay([...byId.values()]);
}

/** The word a line's badge shows. */
export function lineBadge(l: ChatLine): { text: string; tone: 'ok' | 'warn' | 'bad' | 'info' | 'muted' } {
  if (l.streaming) return { text: 'streaming', tone: 'info' };
  if (l.state === 'failed') return { text: 'failed', tone: 'bad' };
  if (l.waiting) return { text: 'waiting for earlier replies', tone: 'muted' };
  if (l.state === 'queued') return { text: 'queued (offline)', tone: 'warn' };
  if (l.state === 'sending') return { text: 'sending', tone: 'muted' };
  if (l.remoteStreaming) return { text: 'streaming elsewhere', tone: 'info' };
  if (l.partial) return { text: 'partial', tone: 'warn' };
  return { text: l.state, tone: 'ok' };
}

'use client';
/**
 * The chat page's state and actions. Rules that keep the page truthful:
 *   - one conversation is shown at a time, named by `shownId` (also in the
 *     URL). Every async result is applied only if it belongs to the view that
 *     asked for it (a generation counter), so switching fast never mixes one
 *     conversation's header with another's messages;
 *   - a send goes to the session of the shown conversation or nowhere;
 *   - ids are made before writing, so a reload from storage merges with what
 *     is still being written (nothing on screen disappears mid-stream);
 *   - Disconnect ends a live session first: a reply streaming now is stored
 *     as partial and the status becomes `ended`.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Message, Sdk, Session } from '@s5chat/sdk-core';
import { simulatedReply, streamTokens } from '../lib/assistant';
import { mergeStored, newMessageId, orderForDisplay, upsertStored, type ChatLine } from '../lib/chat-view';
import { conversationIdFromUrl, setConversationIdInUrl } from '../lib/conversation-url';
import type { Telemetry } from '../lib/telemetry';
import type { MetadataBase } from './MetadataEditor';

export type Status = 'none' | 'active' | 'completed' | 'ended' | 'unknown';

export interface ChatDeps {
  sdk: Sdk | null;
  telemetry: Telemetry;
  reportError(e: unknown, context: string): unknown;
  reportSuccess(context: string): void;
  onBeforeDisconnect(fn: () => Promise<void>): () => void;
}

export interface ReplySettings {
  msPerToken: number;
  replyTokens: number;
  autoReply: boolean;
}

/** `status: 'queued'` once the SDK has an outbox; 'durable' (or absent) otherwise. */
const stateOf = (r: unknown): 'queued' | 'saved' => ((r as { status?: unknown })?.status === 'queued' ? 'queued' : 'saved');

const TITLE_CHARS = 48;

export function useChat(deps: ChatDeps, settings: ReplySettings) {
  const { sdk, telemetry, reportError, reportSuccess, onBeforeDisconnect } = deps;
  const [shownId, setShownId] = useState<string | null>(null);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [status, setStatus] = useState<Status>('none');
  const [title, setTitle] = useState('');
  const [revision, setRevision] = useState<number | null>(null);
  const [metaBase, setMetaBase] = useState<MetadataBase | null>(null);
  const [sessionLive, setSessionLive] = useState(false);
  const [loading, setLoading] = useState(false);
  const [ending, setEnding] = useState(false);
  const [listVersion, setListVersion] = useState(0);

  const shownRef = useRef<string | null>(null);
  const gen = useRef(0);
  const sessionRef = useRef<Session | null>(null);
  const replyChain = useRef<Promise<void>>(Promise.resolve());
  const streamAbort = useRef<AbortController | null>(null);
  const endingRef = useRef(false);
  const replyCount = useRef(0);
  const titled = useRef(false);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;

  const updateLine = useCallback((id: string, patch: Partial<ChatLine>) => {
    setLines((ls) => ls.map((l) => (l.id === id ? { ...l, ...patch } : l)));
  }, []);
  const removeLine = useCallback((id: string) => setLines((ls) => ls.filter((l) => l.id !== id)), []);

  /** Applies a stored conversation to the view, if the view still shows it. */
  const applyLoaded = useCallback(
    (id: string, g: number, conv: Awaited<ReturnType<Sdk['storage']['loadConversation']>>, messages: 'merge' | 'keep') => {
      if (g !== gen.current || shownRef.current !== id || !conv) return;
      if (messages === 'merge') setLines((ls) => mergeStored(ls, conv.messages));
      const s = conv.metadata.status;
      setStatus(s === 'active' || s === 'completed' || s === 'ended' ? s : 'unknown');
      if (typeof conv.metadata.title === 'string' && conv.metadata.title) setTitle(conv.metadata.title);
      // Once this view named the conversation (or found a name), a read that predates the name does not undo that.
      titled.current ||= typeof conv.metadata.title === 'string' && conv.metadata.title !== '';
      setRevision((r) => Math.max(r ?? 0, conv.revision));
      setMetaBase({ metadata: conv.metadata, revision: conv.revision });
    },
    [],
  );

  /** Reads the shown conversation and merges it into the view (never blanks it). */
  const reloadFromStorage = useCallback(
    async (id: string, messages: 'merge' | 'keep' = 'merge') => {
      if (!sdk) return;
      const g = gen.current;
      setLoading(true);
      try {
        const conv = await sdk.storage.loadConversation(id);
        if (!conv && g === gen.current && messages === 'merge') {
          reportError(Object.assign(new Error(`Conversation ${id} is not in storage.`), { code: 'NOT_FOUND' }), 'reload from storage');
        }
        applyLoaded(id, g, conv, messages);
        reportSuccess('reload from storage');
      } catch (e) {
        if (g === gen.current) reportError(e, 'reload from storage');
      } finally {
        if (g === gen.current) setLoading(false);
      }
    },
    [sdk, reportError, reportSuccess, applyLoaded],
  );

  /** Shows another conversation: a new view generation; late answers for the old one are dropped. */
  const show = useCallback((id: string | null) => {
    gen.current++;
    sessionRef.current = null;
    streamAbort.current = null;
    setSessionLive(false);
    shownRef.current = id;
    setShownId(id);
    setConversationIdInUrl(id);
    setLines([]);
    setStatus(id ? 'unknown' : 'none');
    setTitle('');
    setRevision(null);
    setMetaBase(null);
    titled.current = false;
  }, []);

  const openConversation = useCallback(
    (id: string) => {
      if (id === shownRef.current && sessionRef.current) return; // already live here
      show(id);
      void reloadFromStorage(id);
    },
    [show, reloadFromStorage],
  );

  // After connecting (and after a full page reload), open the conversation named in the URL.
  useEffect(() => {
    if (!sdk) return;
    const id = conversationIdFromUrl();
    if (id) openConversation(id);
  }, [sdk, openConversation]);

  // Revisions and the list follow this tab's commits; the editor's base is re-read (debounced).
  // Throttled, not debounced: a reply streaming for a minute still refreshes every 400 ms.
  const metaTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pendingMode = useRef<'merge' | 'keep'>('keep');
  const refreshSoon = useCallback(
    (id: string, messages: 'merge' | 'keep') => {
      if (messages === 'merge') pendingMode.current = 'merge';
      if (metaTimer.current) return;
      metaTimer.current = setTimeout(() => {
        metaTimer.current = undefined;
        const mode = pendingMode.current;
        pendingMode.current = 'keep';
        if (shownRef.current === id) void reloadFromStorage(id, mode);
      }, 400);
    },
    [reloadFromStorage],
  );
  useEffect(() => () => clearTimeout(metaTimer.current), []);
  useEffect(() => {
    if (!sdk) return;
    const offSaved = sdk.storage.on('saved', (e) => {
      if (e.kind === 'index') setListVersion((v) => v + 1);
      else if (e.conversationId === shownRef.current) {
        setRevision((r) => Math.max(r ?? 0, e.revision));
        refreshSoon(e.conversationId, 'keep');
      }
    });
    // Another tab of this browser committed: merge what it wrote (no reload button needed).
    const offRemote = sdk.storage.on('remote', (e) => {
      if (e.conversationId !== shownRef.current) return;
      setRevision((r) => Math.max(r ?? 0, e.revision));
      refreshSoon(e.conversationId, 'merge');
    });
    return () => {
      offSaved();
      offRemote();
    };
  }, [sdk, refreshSoon]);

  // Another device (or tab) committed: `storage.watch` where the SDK has it.
  useEffect(() => {
    const storage = sdk?.storage as unknown as {
      watch?: (id: string, fn: (e: { conversationId: string; revision: number; messages: Message[]; metadata?: Record<string, unknown>; source: string }) => void) => () => void;
    };
    if (!shownId || typeof storage?.watch !== 'function') return;
    const id = shownId;
    const g = gen.current;
    return storage.watch(id, (e) => {
      if (g !== gen.current || e.conversationId !== id) return;
      telemetry.recordArrival({ conversationId: id, revision: e.revision, source: e.source, messages: e.messages.length });
      setRevision((r) => Math.max(r ?? 0, e.revision));
      if (e.messages.length) setLines((ls) => upsertStored(ls, e.messages));
      if (e.metadata) {
        const s = e.metadata.status;
        if (s === 'active' || s === 'completed' || s === 'ended') setStatus(s);
        if (typeof e.metadata.title === 'string') setTitle(e.metadata.title);
      }
    });
  }, [sdk, shownId, telemetry]);

  function startSession(): void {
    if (!sdk) return;
    const resumeId = shownRef.current ?? undefined;
    const session = sdk.sessions.start(resumeId ? { conversationId: resumeId } : {});
    if (!resumeId) show(session.conversationId);
    const g = gen.current;
    // Marking the session active is a write like any other: tracked, errors shown.
    telemetry.track(() => session.ready).then(
      () => {
        reportSuccess('start session');
        if (g === gen.current) void reloadFromStorage(session.conversationId, 'keep');
      },
      (e: unknown) => reportError(e, 'start session'),
    );
    sessionRef.current = session;
    endingRef.current = false;
    replyChain.current = Promise.resolve();
    setSessionLive(true);
    setStatus('active');
    setListVersion((v) => v + 1);
  }

  function writeUserLine(conversationId: string, line: Pick<ChatLine, 'id' | 'content' | 'timestamp'>): void {
    if (!sdk) return;
    const g = gen.current;
    telemetry
      .track(() => sdk.storage.appendMessage(conversationId, { id: line.id, role: 'user', content: line.content, timestamp: line.timestamp }))
      .then(
        (r) => {
          reportSuccess('send message');
          if (g === gen.current) updateLine(line.id, { state: stateOf(r) });
        },
        (e: unknown) => {
          if (g === gen.current) updateLine(line.id, { state: 'failed' });
          reportError(e, 'send message');
        },
      );
  }

  /** Sends to the shown conversation's live session; refuses when there is none. */
  function send(typed: string): boolean {
    const session = sessionRef.current;
    const text = typed.trim();
    if (!sdk || !session || !text || endingRef.current) return false;
    if (session.conversationId !== shownRef.current) return false; // never write into a conversation not on screen
    const conversationId = session.conversationId;
    const question: ChatLine = { id: newMessageId(), role: 'user', content: text, timestamp: Date.now(), state: 'sending', streaming: false, partial: false };
    const reply: ChatLine | null = settingsRef.current.autoReply
      ? { id: newMessageId(), role: 'assistant', content: '', timestamp: question.timestamp + 1, state: 'sending', streaming: false, partial: false, replyTo: question.id, waiting: true }
      : null;
    setLines((ls) => orderForDisplay([...ls, question, ...(reply ? [reply] : [])]));
    writeUserLine(conversationId, question);
    if (!titled.current) {
      // A list of "Session 14:02:11" tells nobody anything: the first question names the conversation.
      titled.current = true;
      const t = text.length > TITLE_CHARS ? `${text.slice(0, TITLE_CHARS - 1)}…` : text;
      setTitle(t);
      telemetry.track(() => sdk.storage.updateMetadata(conversationId, { title: t })).catch((e: unknown) => reportError(e, 'set title'));
    }
    if (reply) {
      const n = ++replyCount.current;
      replyChain.current = replyChain.current.then(() => runReply(session, text, n, reply.id, question.id));
    }
    return true;
  }

  /** Sends a failed message again under the same id (idempotent: never a duplicate). */
  function retry(id: string): void {
    const line = lines.find((l) => l.id === id);
    if (!line || line.state !== 'failed' || !shownRef.current) return;
    if (line.role === 'user') {
      updateLine(id, { state: 'sending' });
      writeUserLine(shownRef.current, line);
    } else if (sdk) {
      const conversationId = shownRef.current;
      updateLine(id, { state: 'sending' });
      const m = { id, role: line.role, content: line.content, timestamp: line.timestamp, metadata: { ...(line.replyTo ? { replyTo: line.replyTo } : {}), ...(line.partial ? { partial: true } : {}) } };
      telemetry.track(() => sdk.storage.appendMessage(conversationId, m)).then(
        (r) => {
          reportSuccess('stream assistant reply');
          updateLine(id, { state: stateOf(r) });
        },
        (e: unknown) => {
          updateLine(id, { state: 'failed' });
          reportError(e, 'retry reply');
        },
      );
    }
  }

  /** One simulated assistant reply, streamed token by token, persisted by the session. */
  async function runReply(session: Session, prompt: string, n: number, id: string, replyTo: string): Promise<void> {
    if (endingRef.current || sessionRef.current !== session) {
      removeLine(id); // never started: nothing to show or store
      return;
    }
    const { msPerToken, replyTokens } = settingsRef.current;
    const tokens = simulatedReply(prompt, { length: replyTokens, seed: n });
    const controller = new AbortController();
    streamAbort.current = controller;
    let content = '';
    updateLine(id, { waiting: false, streaming: true, timestamp: Date.now() });
    const stream = streamTokens(tokens, msPerToken, controller.signal, (token) => {
      content += token;
      updateLine(id, { content });
    });
    try {
      const r = await telemetry.track(() => session.streamAssistant(stream, { messageId: id, metadata: { replyTo } }), { latency: false });
      reportSuccess('stream assistant reply');
      updateLine(id, { streaming: false, state: stateOf(r), partial: r.message.metadata?.partial === true, content: r.message.content });
    } catch (e) {
      updateLine(id, { streaming: false, state: 'failed', partial: true });
      reportError(e, 'stream assistant reply');
    } finally {
      if (streamAbort.current === controller) streamAbort.current = null;
    }
  }

  /** Ends the session, also mid-stream: the partial reply is kept, status becomes `ended`. */
  async function endSession(): Promise<void> {
    const session = sessionRef.current;
    if (!session) return;
    endingRef.current = true;
    // Stop the token stream: the session stores the partial reply. end() is an
    // operation on the latest stored state; it cannot erase that final append.
    streamAbort.current?.abort();
    setEnding(true);
    try {
      await Promise.all([telemetry.track(() => session.end()), replyChain.current]);
      reportSuccess('end session');
      if (sessionRef.current === session) {
        setStatus('ended');
        setSessionLive(false);
        sessionRef.current = null;
      }
      setListVersion((v) => v + 1);
    } catch (e) {
      reportError(e, 'end session');
    } finally {
      setEnding(false);
    }
  }
  const endRef = useRef(endSession);
  endRef.current = endSession;
  useEffect(
    () =>
      onBeforeDisconnect(async () => {
        await endRef.current();
        await sdk?.storage.flush();
      }),
    [onBeforeDisconnect, sdk],
  );

  return {
    shownId,
    lines,
    status,
    title,
    revision,
    metaBase,
    sessionLive,
    loading,
    ending,
    listVersion,
    streaming: lines.some((l) => l.streaming),
    openConversation,
    reloadFromStorage,
    startSession,
    newConversation: () => show(null),
    send,
    retry,
    endSession,
    setMetaBase,
    bumpList: () => setListVersion((v) => v + 1),
  };
}

'use client';
/**
 * The chat page's state and actions, on top of @s5chat/react (`useSession`,
 * `useConversation`): the hooks load, keep live (watch), and show sends at
 * once as sending / queued / failed. What this file adds is the harness's own
 * rules:
 *   - one conversation is shown at a time (`shownId`, also in the URL); the
 *     hooks keep one store per id, so switching fast never mixes two;
 *   - a send goes to the session of the shown conversation or nowhere;
 *   - each reply has its place under its question from the moment the
 *     question is sent (`metadata.replyTo`), waiting for earlier replies;
 *   - Disconnect ends a live session first: a reply streaming now is stored
 *     as partial and the status becomes `ended`.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { useConversation, useSession, type ChatMessage, type SendOutcome } from '@s5chat/react';
import { simulatedReply, streamTokens } from '../lib/assistant';
import { newMessageId, orderForDisplay, type ChatLine } from '../lib/chat-view';
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

const TITLE_CHARS = 48;

function lineOf(m: ChatMessage): ChatLine {
  const meta = m.metadata ?? {};
  const line: ChatLine = {
    id: m.id,
    role: m.role,
    content: m.content,
    timestamp: m.timestamp,
    state: m.delivery === 'stored' ? 'stored' : m.delivery === 'streaming' ? 'sending' : m.delivery,
    streaming: m.delivery === 'streaming',
    partial: meta.partial === true,
  };
  // A checkpoint another tab or device is still streaming (this tab's own stream says 'streaming').
  if (m.delivery === 'stored' && meta.streaming === true) line.remoteStreaming = true;
  if (typeof meta.replyTo === 'string') line.replyTo = meta.replyTo;
  return line;
}

/** A SendOutcome as a promise that rejects on failure, so telemetry counts it as a failed write. */
async function settled(p: Promise<SendOutcome>): Promise<SendOutcome> {
  const o = await p;
  if (o.status === 'failed') throw o.error;
  return o;
}

export function useChat(deps: ChatDeps, settings: ReplySettings) {
  const { sdk, telemetry, reportError, reportSuccess, onBeforeDisconnect } = deps;
  const [shownId, setShownId] = useState<string | null>(null);
  const session = useSession();
  const conv = useConversation(shownId);
  /** Replies not started yet (they wait for earlier replies), by id. */
  const [waiting, setWaiting] = useState<ChatLine[]>([]);
  const [titleSet, setTitleSet] = useState<Record<string, string>>({});

  const shownRef = useRef<string | null>(null);
  const replyChain = useRef<Promise<void>>(Promise.resolve());
  const endingRef = useRef(false);
  const replyCount = useRef(0);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const sessionLive = !!session.session && session.conversationId === shownId && ['starting', 'active'].includes(session.status);

  const show = useCallback(
    (id: string | null) => {
      shownRef.current = id;
      setShownId(id);
      setConversationIdInUrl(id);
      setWaiting([]);
    },
    [],
  );

  const openConversation = useCallback(
    (id: string) => {
      if (id === shownRef.current) return;
      sessionRef.current.reset(); // the session belongs to the conversation we leave
      show(id);
    },
    [show],
  );

  // After connecting (and after a full page reload), open the conversation named in the URL.
  useEffect(() => {
    if (!sdk) return;
    const id = conversationIdFromUrl();
    if (id) {
      shownRef.current = id;
      setShownId(id);
    }
  }, [sdk]);

  // Errors of loading the shown conversation are shown like every other error.
  useEffect(() => {
    if (conv.status === 'error' && conv.error) reportError(conv.error, 'load conversation');
    if (conv.status === 'ready') reportSuccess('load conversation');
  }, [conv.status, conv.error, reportError, reportSuccess]);

  // Another device's (or tab's) commits: the hook merges them; the live panel lists them.
  useEffect(() => {
    if (!sdk || !shownId || typeof sdk.storage.watch !== 'function') return;
    return sdk.storage.watch(shownId, (e) => {
      telemetry.recordArrival({ conversationId: e.conversationId, revision: e.revision, source: e.source, messages: e.messages.length });
    });
  }, [sdk, shownId, telemetry]);

  const lines = useMemo(() => {
    const fromHook = conv.conversationId === shownId ? conv.messages.map(lineOf) : [];
    const ids = new Set(fromHook.map((l) => l.id));
    return orderForDisplay([...fromHook, ...waiting.filter((w) => !ids.has(w.id))]);
  }, [conv.conversationId, conv.messages, shownId, waiting]);

  const meta = conv.conversationId === shownId ? conv.conversation : null;
  const storedTitle = typeof meta?.metadata.title === 'string' ? meta.metadata.title : '';
  const title = storedTitle || (shownId ? (titleSet[shownId] ?? '') : '');
  const storedStatus = meta?.metadata.status;
  const status: Status = !shownId
    ? 'none'
    : session.conversationId === shownId && (session.status === 'ended' || session.status === 'completed')
      ? session.status
      : sessionLive
        ? 'active'
        : storedStatus === 'active' || storedStatus === 'completed' || storedStatus === 'ended'
          ? storedStatus
          : 'unknown';
  const metaBase: MetadataBase | null = meta ? { metadata: meta.metadata, revision: meta.revision } : null;

  function startSession(): void {
    if (!sdk) return;
    const resumeId = shownRef.current;
    endingRef.current = false;
    replyChain.current = Promise.resolve();
    const s = session.start(resumeId ? { conversationId: resumeId } : {});
    if (!s) return;
    if (!resumeId) show(s.conversationId);
    telemetry.track(() => s.ready).then(
      () => reportSuccess('start session'),
      (e: unknown) => reportError(e, 'start session'),
    );
  }

  function trackSend(p: () => Promise<SendOutcome>, context: string): void {
    telemetry.track(() => settled(p())).then(
      () => reportSuccess(context),
      (e: unknown) => reportError(e, context),
    );
  }

  /** Sends to the shown conversation's live session; refuses when there is none. */
  function send(typed: string): boolean {
    const text = typed.trim();
    const id = shownRef.current;
    if (!sdk || !text || endingRef.current || !sessionLive || session.conversationId !== id || !id) return false;
    const question = { id: newMessageId(), role: 'user' as const, content: text, timestamp: Date.now() };
    trackSend(() => session.send(question), 'send message');
    if (!storedTitle && !titleSet[id]) {
      // A list of "Session 14:02:11" tells nobody anything: the first question names the conversation.
      const t = text.length > TITLE_CHARS ? `${text.slice(0, TITLE_CHARS - 1)}…` : text;
      setTitleSet((m) => ({ ...m, [id]: t }));
      telemetry.track(() => sdk.storage.updateMetadata(id, { title: t })).catch((e: unknown) => reportError(e, 'set title'));
    }
    if (settingsRef.current.autoReply) {
      const reply: ChatLine = { id: newMessageId(), role: 'assistant', content: '', timestamp: question.timestamp + 1, state: 'sending', streaming: false, partial: false, replyTo: question.id, waiting: true };
      setWaiting((w) => [...w, reply]);
      const n = ++replyCount.current;
      const s = session.session;
      replyChain.current = replyChain.current.then(() => runReply(s, text, n, reply.id, question.id));
    }
    return true;
  }

  /** One simulated assistant reply, streamed token by token through useSession().stream. */
  async function runReply(s: unknown, prompt: string, n: number, id: string, replyTo: string): Promise<void> {
    const current = sessionRef.current;
    const drop = () => setWaiting((w) => w.filter((l) => l.id !== id));
    if (endingRef.current || current.session !== s) return drop(); // never started: nothing to show or store
    const { msPerToken, replyTokens } = settingsRef.current;
    const tokens = simulatedReply(prompt, { length: replyTokens, seed: n });
    const outcome = telemetry.track(() => settled(current.stream(streamTokens(tokens, msPerToken), { messageId: id, metadata: { replyTo } })), { latency: false });
    drop(); // the hook shows it from now on (streaming, then stored)
    await outcome.then(
      () => reportSuccess('stream assistant reply'),
      (e: unknown) => reportError(e, 'stream assistant reply'),
    );
  }

  function retry(id: string): void {
    const m = conv.messages.find((x) => x.id === id);
    if (!m?.retry) return;
    const again = m.retry;
    trackSend(() => again(), 'send message');
  }

  /** Ends the session, also mid-stream: the partial reply is kept, status becomes `ended`. */
  async function endSession(): Promise<void> {
    if (!sessionRef.current.session) return;
    endingRef.current = true;
    setWaiting([]);
    const outcome = await telemetry.track(() => sessionRef.current.end()).catch((e: unknown) => ({ status: 'failed' as const, error: e }));
    await replyChain.current;
    if (outcome.status === 'failed') reportError(outcome.error, 'end session');
    else reportSuccess('end session');
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
    revision: meta?.revision ?? null,
    metaBase,
    sessionLive,
    loading: conv.status === 'loading',
    ending: session.status === 'ending',
    streaming: lines.some((l) => l.streaming),
    openConversation,
    reloadFromStorage: () => conv.refresh(),
    startSession,
    newConversation: () => {
      session.reset();
      show(null);
    },
    send,
    retry,
    endSession,
  };
}

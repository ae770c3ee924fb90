'use client';
/**
 * The chat page: start a session, send messages without waiting for replies,
 * a simulated assistant streaming its answer, end the session (also while a
 * reply is streaming), conversation list, reload from storage, metadata with
 * optimistic locking, and the live panel.
 *
 * What the page shows after "Reload from storage" (or a full page reload) is
 * read from the node by this tab's SDK, never from React state, so the e2e
 * tests check what is stored rather than what was typed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Session } from '@s5chat/sdk-core';
import { simulatedReply, streamTokens } from '../lib/assistant';
import { conversationIdFromUrl, setConversationIdInUrl } from '../lib/conversation-url';
import { useHarness } from './HarnessProvider';
import { LivePanel } from './LivePanel';
import { ConversationList } from './ConversationList';
import { MetadataEditor, type MetadataBase } from './MetadataEditor';

type LineState = 'pending' | 'saved' | 'failed' | 'stored';

interface ChatLine {
  key: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  streaming: boolean;
  state: LineState;
  id?: string;
  timestamp?: number;
}

type Status = 'none' | 'active' | 'completed' | 'ended' | 'unknown';

let lineCounter = 0;
const nextKey = () => `line-${++lineCounter}`;

export function ChatApp() {
  const { sdk, connection, telemetry, reportError } = useHarness();
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [status, setStatus] = useState<Status>('none');
  const [sessionLive, setSessionLive] = useState(false);
  const [loadedRevision, setLoadedRevision] = useState<number | null>(null);
  const [metaBase, setMetaBase] = useState<MetadataBase | null>(null);
  const [title, setTitle] = useState<string>('');
  const [draft, setDraft] = useState('');
  const [msPerToken, setMsPerToken] = useState(40);
  const [replyTokens, setReplyTokens] = useState(24);
  const [autoReply, setAutoReply] = useState(true);
  const [busy, setBusy] = useState<string | null>(null);
  const [listVersion, setListVersion] = useState(0);
  /** Newest revision another tab of this browser announced for the open conversation. */
  const [remoteRevision, setRemoteRevision] = useState<number | null>(null);

  const sessionRef = useRef<Session | null>(null);
  const replyChain = useRef<Promise<void>>(Promise.resolve());
  const streamAbort = useRef<AbortController | null>(null);
  const endingRef = useRef(false);
  const replyCount = useRef(0);
  // Settings read by queued replies when they start, not when they were queued.
  const settings = useRef({ msPerToken, replyTokens });
  settings.current = { msPerToken, replyTokens };

  const updateLine = useCallback((key: string, patch: Partial<ChatLine>) => {
    setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  }, []);

  /** Replaces the view with what storage holds now. */
  const reloadFromStorage = useCallback(
    async (id: string) => {
      if (!sdk) return;
      setBusy('Loading from storage…');
      try {
        const conv = await sdk.storage.loadConversation(id);
        if (!conv) {
          reportError(Object.assign(new Error(`Conversation ${id} is not in storage.`), { code: 'NOT_FOUND' }), 'reload from storage');
          return;
        }
        setLines(
          conv.messages.map((m) => ({
            key: nextKey(),
            id: m.id,
            role: m.role,
            content: m.content,
            timestamp: m.timestamp,
            streaming: false,
            state: 'stored' as const,
          })),
        );
        const s = conv.metadata.status;
        setStatus(s === 'active' || s === 'completed' || s === 'ended' ? s : 'unknown');
        setTitle(typeof conv.metadata.title === 'string' ? conv.metadata.title : '');
        setLoadedRevision(conv.revision);
        setMetaBase({ metadata: conv.metadata, revision: conv.revision });
      } catch (e) {
        reportError(e, 'reload from storage');
      } finally {
        setBusy(null);
      }
    },
    [sdk, reportError],
  );

  /** Loads only title/metadata/revision (keeps the message view as it is). */
  const refreshMetadata = useCallback(
    async (id: string) => {
      if (!sdk) return;
      try {
        const conv = await sdk.storage.loadConversation(id);
        if (!conv) return;
        setTitle(typeof conv.metadata.title === 'string' ? conv.metadata.title : '');
        setLoadedRevision(conv.revision);
        setMetaBase({ metadata: conv.metadata, revision: conv.revision });
      } catch (e) {
        reportError(e, 'load metadata');
      }
    },
    [sdk, reportError],
  );

  const openConversation = useCallback(
    (id: string) => {
      sessionRef.current = null;
      setSessionLive(false);
      setConversationId(id);
      setConversationIdInUrl(id);
      void reloadFromStorage(id);
    },
    [reloadFromStorage],
  );

  // After connecting (and after a full page reload), open the conversation named in the URL.
  useEffect(() => {
    if (!sdk) return;
    const id = conversationIdFromUrl();
    if (id) openConversation(id);
  }, [sdk, openConversation]);

  // The conversation list is an index the SDK updates after commits: refresh
  // the list whenever this tab's SDK stored a new index revision.
  useEffect(() => {
    if (!sdk) return;
    return sdk.storage.on('saved', (e) => {
      if (e.kind === 'index') setListVersion((v) => v + 1);
    });
  }, [sdk]);

  // Another tab committed to this conversation (BroadcastChannel): offer a reload.
  useEffect(() => {
    if (!sdk || !conversationId) return;
    setRemoteRevision(null);
    return sdk.storage.on('remote', (e) => {
      if (e.conversationId === conversationId) setRemoteRevision((r) => Math.max(r ?? 0, e.revision));
    });
  }, [sdk, conversationId]);

  async function startSession() {
    if (!sdk) return;
    setBusy('Starting session…');
    try {
      const resumeId = conversationId ?? undefined;
      const session = sdk.sessions.start({
        ...(resumeId ? { conversationId: resumeId } : {}),
        metadata: resumeId ? {} : { title: `Session ${new Date().toISOString().slice(11, 19)}` },
      });
      // Marking the session active is a write like any other: tracked, errors
      // shown. Once stored, load the metadata so title edits have a revision.
      telemetry.track(() => session.ready).then(
        () => refreshMetadata(session.conversationId),
        (e: unknown) => reportError(e, 'start session'),
      );
      sessionRef.current = session;
      endingRef.current = false;
      replyChain.current = Promise.resolve();
      setSessionLive(true);
      setStatus('active');
      setConversationId(session.conversationId);
      setConversationIdInUrl(session.conversationId);
      if (!resumeId) {
        setLines([]);
        setLoadedRevision(null);
        setMetaBase(null);
      }
      setListVersion((v) => v + 1);
    } catch (e) {
      reportError(e, 'start session');
    } finally {
      setBusy(null);
    }
  }

  function send(typed: string) {
    const session = sessionRef.current;
    const text = typed.trim();
    if (!session || !text || endingRef.current) return;
    setDraft('');
    const key = nextKey();
    setLines((ls) => [...ls, { key, role: 'user', content: text, streaming: false, state: 'pending' }]);
    // Fire and forget from the user's point of view; the promise is still tracked.
    telemetry
      .track(() => session.sendUserMessage(text))
      .then(
        (r) => updateLine(key, { state: 'saved', id: r.message.id, timestamp: r.message.timestamp }),
        (e: unknown) => {
          updateLine(key, { state: 'failed' });
          reportError(e, 'send message');
        },
      );
    if (autoReply) {
      const n = ++replyCount.current;
      replyChain.current = replyChain.current.then(() => runReply(session, text, n));
    }
  }

  /** One simulated assistant reply, streamed token by token, persisted by the session. */
  async function runReply(session: Session, prompt: string, n: number): Promise<void> {
    if (endingRef.current || sessionRef.current !== session) return;
    const { msPerToken: speed, replyTokens: length } = settings.current;
    const tokens = simulatedReply(prompt, { length, seed: n });
    const controller = new AbortController();
    streamAbort.current = controller;
    const key = nextKey();
    let content = '';
    setLines((ls) => [...ls, { key, role: 'assistant', content: '', streaming: true, state: 'pending' }]);
    const stream = streamTokens(tokens, speed, controller.signal, (token) => {
      content += token;
      updateLine(key, { content });
    });
    try {
      await telemetry.track(() => session.streamAssistant(stream), { latency: false });
      updateLine(key, { streaming: false, state: 'saved' });
    } catch (e) {
      updateLine(key, { streaming: false, state: 'failed' });
      reportError(e, 'stream assistant reply');
    } finally {
      if (streamAbort.current === controller) streamAbort.current = null;
    }
  }

  /** Ends the session, also mid-stream: the partial reply is kept, status becomes `ended`. */
  async function endSession() {
    const session = sessionRef.current;
    if (!session) return;
    endingRef.current = true;
    // Stop the token stream: the session persists the partial reply. end()
    // goes through the conversation lock right away; it does not need to wait
    // for that final append, and cannot erase it (both are operations applied
    // to the latest stored state, not snapshots).
    streamAbort.current?.abort();
    setBusy('Ending session…');
    try {
      await Promise.all([telemetry.track(() => session.end()), replyChain.current]);
      setStatus('ended');
      setSessionLive(false);
      sessionRef.current = null;
      setListVersion((v) => v + 1);
    } catch (e) {
      reportError(e, 'end session');
    } finally {
      setBusy(null);
    }
  }

  async function flushAll() {
    if (!sdk) return;
    try {
      await sdk.storage.flush();
    } catch (e) {
      reportError(e, 'flush');
    }
  }

  if (!connection || !sdk) {
    return (
      <section className="card" data-testid="connect-first">
        <h2>Chat</h2>
        <p>Connect a wallet (or use the local development wallet) above to derive your S5 identity.</p>
      </section>
    );
  }

  const streaming = lines.some((l) => l.streaming);
  return (
    <div className="layout">
      <ConversationList sdk={sdk} version={listVersion} current={conversationId} onOpen={openConversation} />
      <section className="card chat">
        <div className="row">
          <button onClick={() => void startSession()} disabled={!!busy || sessionLive} data-testid="start-session">
            {conversationId && !sessionLive ? 'Resume session on this conversation' : 'Start session'}
          </button>
          <button onClick={() => void startNew()} disabled={!!busy || sessionLive} data-testid="new-conversation">
            New conversation
          </button>
          <button onClick={() => void endSession()} disabled={!sessionLive || !!busy} data-testid="end-session">
            End session{streaming ? ' (mid-stream)' : ''}
          </button>
          <button
            onClick={() => conversationId && void reloadFromStorage(conversationId)}
            disabled={!conversationId || !!busy}
            data-testid="reload-from-storage"
          >
            Reload from storage
          </button>
          <button onClick={() => void flushAll()} data-testid="flush">Flush</button>
        </div>
        <div className="row muted">
          <span>
            Conversation: <code data-testid="conversation-id">{conversationId ?? '–'}</code>
          </span>
          <span>
            Title: <span data-testid="conversation-title">{title || '–'}</span>
          </span>
          <span>
            Status: <strong data-testid="conversation-status">{status}</strong>
          </span>
          <span>
            Loaded revision: <span data-testid="loaded-revision">{loadedRevision ?? '–'}</span>
          </span>
          <span data-testid="session-live">{sessionLive ? 'session live in this tab' : 'no live session in this tab'}</span>
          {busy && <span data-testid="busy">{busy}</span>}
        </div>
        {remoteRevision !== null && (loadedRevision === null || remoteRevision > loadedRevision) && (
          <div className="row notice" data-testid="remote-notice">
            Another tab stored revision {remoteRevision} of this conversation.
            <button onClick={() => conversationId && void reloadFromStorage(conversationId)}>Reload from storage</button>
          </div>
        )}
        <div className="row">
          <label>
            ms per token{' '}
            <input type="number" min={0} max={2000} value={msPerToken} onChange={(e) => setMsPerToken(Number(e.target.value))} data-testid="ms-per-token" />
          </label>
          <label>
            reply length (tokens){' '}
            <input type="number" min={1} max={2000} value={replyTokens} onChange={(e) => setReplyTokens(Number(e.target.value))} data-testid="reply-tokens" />
          </label>
          <label>
            <input type="checkbox" checked={autoReply} onChange={(e) => setAutoReply(e.target.checked)} data-testid="auto-reply" /> assistant replies
          </label>
        </div>
        <ol className="messages" data-testid="messages">
          {lines.map((l, i) => (
            <li
              key={l.key}
              className={`msg ${l.role}`}
              data-testid="message"
              data-index={i}
              data-role={l.role}
              data-state={l.state}
              data-streaming={l.streaming ? 'true' : 'false'}
            >
              <span className="who">{l.role}</span> <span data-testid="message-content">{l.content}</span>
              {l.streaming && <span className="cursor">▍</span>}
              <span className="state">{l.state}</span>
            </li>
          ))}
        </ol>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            // Read the field itself: the user may press Enter faster than React re-renders.
            const field = e.currentTarget.elements.namedItem('message');
            send(field instanceof HTMLInputElement ? field.value : draft);
          }}
        >
          <input
            name="message"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={sessionLive ? 'Type and press Enter; no need to wait for the reply' : 'Start a session first'}
            disabled={!sessionLive}
            data-testid="message-input"
            size={60}
          />
          <button type="submit" disabled={!sessionLive} data-testid="send">Send</button>
        </form>
        {conversationId && metaBase && (
          <MetadataEditor
            sdk={sdk}
            conversationId={conversationId}
            base={metaBase}
            onSaved={(next) => {
              setMetaBase(next);
              setLoadedRevision(next.revision);
              setTitle(typeof next.metadata.title === 'string' ? next.metadata.title : '');
              setListVersion((v) => v + 1);
            }}
          />
        )}
        {conversationId && !metaBase && (
          <p className="muted">Reload from storage to edit this conversation&apos;s title and metadata.</p>
        )}
      </section>
      <LivePanel />
    </div>
  );

  async function startNew() {
    sessionRef.current = null;
    setConversationId(null);
    setConversationIdInUrl(null);
    setLines([]);
    setStatus('none');
    setTitle('');
    setLoadedRevision(null);
    setMetaBase(null);
  }
}

/**
 * useSession(opts): a chat session (sdk.sessions.start) with optimistic sends and streamed replies
 * whose partial text is shown while it grows. Sends and replies go through the conversation's
 * shared store, so a useConversation() of the same id shows them at once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { uuidv7 } from 'uuidv7';
import type { Message, Session, StreamOptions } from '@s5chat/sdk-core';
import { MissingProviderError, NoSessionError } from './errors.js';
import { useOptionalSdk } from './provider.js';
import { conversationStore } from './registry.js';
import type { ConversationStore } from './conversation-store.js';
import type { SendInput, SendOutcome } from './types.js';
import type { AppendResult } from './live.js';

export type SessionState = 'idle' | 'starting' | 'active' | 'ending' | 'ended' | 'completed' | 'error';

export interface UseSessionOptions {
  /** Resume this conversation (default: start() creates a new one). */
  conversationId?: string | null;
  /** Metadata written when the session starts (e.g. a title or the model name). */
  metadata?: Record<string, unknown>;
}

export interface StreamingReply {
  messageId: string;
  content: string;
}

export type EndOutcome = { status: 'ended' | 'completed' } | { status: 'failed'; error: unknown };

export interface UseSessionResult {
  session: Session | null;
  conversationId: string | null;
  status: SessionState;
  /** The error of the last failed start/end (typed: switch on `code`). */
  error: unknown;
  /** The reply being streamed now (latest started), with the text so far. */
  streaming: StreamingReply | null;
  /** Start (or, with a conversationId, resume) a session; overrides the hook's options. */
  start(overrides?: UseSessionOptions): Session | null;
  /** Append a user message (or any MessageInput) optimistically. Never rejects. */
  send(input: SendInput): Promise<SendOutcome>;
  /** Stream an assistant reply; partial text is shown as it grows and stored in checkpoints. */
  stream(tokens: AsyncIterable<string>, opts?: StreamOptions): Promise<SendOutcome>;
  /** Stop running streams (their text so far is stored, marked partial) and mark the session ended. */
  end(): Promise<EndOutcome>;
  /** Like end(), status 'completed'. */
  complete(): Promise<EndOutcome>;
  /** Forget the session in this component (nothing is written; e.g. when another conversation opens). */
  reset(): void;
}

interface State {
  session: Session | null;
  status: SessionState;
  error: unknown;
  streaming: StreamingReply | null;
}

const INITIAL: State = { session: null, status: 'idle', error: null, streaming: null };

export function useSession(options: UseSessionOptions = {}): UseSessionResult {
  const sdk = useOptionalSdk();
  const [state, setState] = useState<State>(INITIAL);
  // Latest options without making start() change identity on every render.
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const sessionRef = useRef<Session | null>(null);
  const streams = useRef(new Set<{ controller: AbortController; done: Promise<unknown> }>());

  // A new SDK (reconnect) means a new identity: the old session is not ours to continue.
  const sdkRef = useRef(sdk);
  useEffect(() => {
    if (sdkRef.current === sdk) return;
    sdkRef.current = sdk;
    sessionRef.current = null;
    setState(INITIAL);
  }, [sdk]);

  /** setState only while `session` is still the current one (late answers of a dropped session are ignored). */
  const update = useCallback((session: Session, patch: Partial<State> | ((s: State) => Partial<State>)) => {
    setState((s) => (s.session === session ? { ...s, ...(typeof patch === 'function' ? patch(s) : patch) } : s));
  }, []);

  const start = useCallback(
    (overrides: UseSessionOptions = {}) => {
      if (!sdk) {
        setState({ ...INITIAL, status: 'error', error: new MissingProviderError('useSession().start') });
        return null;
      }
      const o = { ...optionsRef.current, ...overrides };
      let session: Session;
      try {
        session = sdk.sessions.start({
          ...(o.conversationId ? { conversationId: o.conversationId } : {}),
          ...(o.metadata ? { metadata: o.metadata } : {}),
        });
      } catch (error) {
        sessionRef.current = null;
        setState({ ...INITIAL, status: 'error', error });
        return null;
      }
      sessionRef.current = session;
      setState({ session, status: 'starting', error: null, streaming: null });
      session.ready.then(
        () => update(session, (s) => (s.status === 'starting' ? { status: 'active' } : {})),
        (error: unknown) => update(session, { status: 'error', error }),
      );
      return session;
    },
    [sdk, update],
  );

  const storeOf = useCallback((session: Session): ConversationStore => conversationStore(sdk!, session.conversationId), [sdk]);

  const send = useCallback(
    (input: SendInput): Promise<SendOutcome> => {
      const session = sessionRef.current;
      if (!session || !sdk) {
        const message = typeof input === 'string' ? { id: '', role: 'user' as const, content: input, timestamp: Date.now() } : { id: '', timestamp: Date.now(), ...input };
        return Promise.resolve({ status: 'failed', message, error: new NoSessionError('send') });
      }
      return storeOf(session).send(input);
    },
    [sdk, storeOf],
  );

  const stream = useCallback(
    (tokens: AsyncIterable<string>, opts: StreamOptions = {}): Promise<SendOutcome> => {
      const session = sessionRef.current;
      const messageId = opts.messageId ?? uuidv7();
      const timestamp = Date.now();
      const draft = (content: string): Message => ({ id: messageId, role: 'assistant', content, timestamp, metadata: { ...(opts.metadata ?? {}), streaming: true } });
      if (!session || !sdk) return Promise.resolve({ status: 'failed', message: draft(''), error: new NoSessionError('stream') });
      const store = storeOf(session);
      const controller = new AbortController();
      const outer = opts.signal;
      if (outer) {
        if (outer.aborted) controller.abort(outer.reason);
        else outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
      }
      let content = '';
      store.showStreaming(draft(content));
      update(session, { streaming: { messageId, content } });
      const source = untilAborted(tokens, controller.signal, (token) => {
        content += token;
        store.showStreaming(draft(content));
        update(session, (s) => (s.streaming?.messageId === messageId ? { streaming: { messageId, content } } : {}));
      });
      const done = session
        .streamAssistant(source, { ...opts, messageId, signal: controller.signal })
        .then(
          (r): SendOutcome => {
            const result = r as AppendResult;
            store.settleStreaming(result.message, result.revision);
            return result.status === 'queued' ? { status: 'queued', message: result.message } : { status: 'durable', message: result.message, revision: result.revision };
          },
          (error: unknown): SendOutcome => {
            store.failStreaming(messageId, error);
            return { status: 'failed', message: draft(content), error };
          },
        )
        .finally(() => {
          streams.current.delete(entry);
          update(session, (s) => (s.streaming?.messageId === messageId ? { streaming: null } : {}));
        });
      const entry = { controller, done };
      streams.current.add(entry);
      return done;
    },
    [sdk, storeOf, update],
  );

  const finish = useCallback(
    async (how: 'end' | 'complete'): Promise<EndOutcome> => {
      const session = sessionRef.current;
      if (!session) return { status: 'failed', error: new NoSessionError(how) };
      update(session, { status: 'ending' });
      // Cut running replies first: the Session stores each one's text so far, marked partial.
      const running = [...streams.current];
      for (const s of running) s.controller.abort();
      try {
        await Promise.all([how === 'end' ? session.end() : session.complete(), ...running.map((s) => s.done)]);
        const status = how === 'end' ? 'ended' : 'completed';
        update(session, { status });
        return { status };
      } catch (error) {
        update(session, { status: 'error', error });
        return { status: 'failed', error };
      }
    },
    [update],
  );
  const end = useCallback(() => finish('end'), [finish]);
  const complete = useCallback(() => finish('complete'), [finish]);

  const reset = useCallback(() => {
    sessionRef.current = null;
    setState(INITIAL);
  }, []);

  return {
    session: state.session,
    conversationId: state.session?.conversationId ?? null,
    status: state.status,
    error: state.error,
    streaming: state.streaming,
    start,
    send,
    stream,
    end,
    complete,
    reset,
  };
}

/**
 * Pass tokens through, reporting each, and stop at once when `signal` aborts — even while the
 * source is waiting for its next token — so end() does not wait for a slow model.
 */
async function* untilAborted(source: AsyncIterable<string>, signal: AbortSignal, onToken: (t: string) => void): AsyncGenerator<string> {
  const it = source[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  let finished = false;
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r === 'aborted') return;
      if (r.done) {
        finished = true;
        return;
      }
      if (typeof r.value === 'string') onToken(r.value);
      yield r.value;
    }
  } finally {
    // Let the source clean up (timers, sockets); do not wait for it.
    if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

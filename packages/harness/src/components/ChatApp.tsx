'use client';
/**
 * The chat page: start a session, send messages without waiting for replies,
 * a simulated assistant streaming its answer beside each question, end the
 * session (also mid-stream), the conversation list, reload from storage
 * (merged with what is still being written), metadata with optimistic
 * locking, and the live panel. State and rules live in `useChat`.
 */
import { useEffect, useState } from 'react';
import { outboxPreference, setOutboxPreference, useHarness } from './HarnessProvider';
import { LivePanel } from './LivePanel';
import { ConversationList } from './ConversationList';
import { MessageList } from './MessageList';
import { MetadataEditor } from './MetadataEditor';
import { useChat, type Status } from './useChat';

const STATUS_TONE: Record<Status, string> = { none: 'muted', active: 'info', completed: 'ok', ended: 'muted', unknown: 'muted' };

export function ChatApp() {
  const { sdk, connection, telemetry, reportError, reportSuccess, onBeforeDisconnect } = useHarness();
  const [draft, setDraft] = useState('');
  const [msPerToken, setMsPerToken] = useState(40);
  const [replyTokens, setReplyTokens] = useState(24);
  const [autoReply, setAutoReply] = useState(true);
  const [outbox, setOutbox] = useState<'on' | 'off'>('on');
  const [outboxAtConnect, setOutboxAtConnect] = useState<'on' | 'off'>('on');
  useEffect(() => {
    const v = outboxPreference();
    setOutbox(v);
    setOutboxAtConnect(v);
  }, [sdk]);
  const chat = useChat({ sdk, telemetry, reportError, reportSuccess, onBeforeDisconnect }, { msPerToken, replyTokens, autoReply });

  if (!connection || !sdk) {
    return (
      <section className="card" data-testid="connect-first">
        <h2>Chat</h2>
        <p>Connect a wallet (or use the local development wallet) above to derive your S5 identity.</p>
      </section>
    );
  }

  const { shownId, sessionLive, streaming } = chat;
  const counts = { user: chat.lines.filter((l) => l.role === 'user').length, total: chat.lines.length };
  return (
    <div className="layout">
      <ConversationList sdk={sdk} current={shownId} currentCount={counts.total} onOpen={chat.openConversation} />
      <section className="card chat">
        <div className="chat-head">
          <div className="chat-title">
            <h2 data-testid="conversation-title">{chat.title || (shownId ? 'Untitled conversation' : 'No conversation open')}</h2>
            <div className="row small muted">
              <span className={`badge ${STATUS_TONE[chat.status]}`} data-testid="conversation-status" data-status={chat.status}>
                {chat.status}
              </span>
              <span className={`badge ${sessionLive ? 'info' : 'muted'}`} data-testid="session-live">
                {sessionLive ? 'session live in this tab' : 'no live session in this tab'}
              </span>
              <span>
                id <code data-testid="conversation-id">{shownId ?? '–'}</code>
              </span>
              <span title="The newest revision this tab has seen: its own commits, other tabs' and reads">
                revision <span data-testid="loaded-revision">{chat.revision ?? '–'}</span>
              </span>
              <span>{counts.total} messages</span>
              <span className={`badge ${outboxAtConnect === 'on' ? 'muted' : 'warn'}`} data-testid="outbox-mode">
                {outboxAtConnect === 'on' ? 'outbox on' : 'outbox off: fail fast'}
              </span>
              {chat.loading && <span data-testid="busy">reading from storage…</span>}
            </div>
          </div>
          <div className="row">
            {!sessionLive ? (
              <button className="primary" onClick={chat.startSession} disabled={chat.ending} data-testid="start-session">
                {shownId ? 'Resume session' : 'Start session'}
              </button>
            ) : (
              <button className="danger" onClick={() => void chat.endSession()} disabled={chat.ending} data-testid="end-session">
                {chat.ending ? 'Ending…' : `End session${streaming ? ' (mid-stream)' : ''}`}
              </button>
            )}
            <button onClick={chat.newConversation} disabled={sessionLive} data-testid="new-conversation">
              New conversation
            </button>
            <button onClick={chat.reloadFromStorage} disabled={!shownId} data-testid="reload-from-storage">
              Reload from storage
            </button>
            <button onClick={() => void sdk.storage.flush().catch((e: unknown) => reportError(e, 'flush'))} data-testid="flush">
              Flush
            </button>
          </div>
        </div>
        <details className="settings" open>
          <summary>Simulated assistant: {autoReply ? `${replyTokens} tokens, ${msPerToken} ms each` : 'off'}</summary>
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
            <label title="Off: a write the portal cannot take fails at once (with Retry) instead of waiting in the outbox. Applies at the next connect.">
              <input
                type="checkbox"
                checked={outbox === 'on'}
                onChange={(e) => {
                  const v = e.target.checked ? 'on' : 'off';
                  setOutboxPreference(v);
                  setOutbox(v);
                }}
                data-testid="outbox-toggle"
              />{' '}
              outbox (send later when offline){outbox !== outboxAtConnect ? ' — applies at the next connect' : ''}
            </label>
          </div>
        </details>
        <MessageList lines={chat.lines} onRetry={chat.retry} />
        <form
          className="composer"
          onSubmit={(e) => {
            e.preventDefault();
            // Read the field itself: the user may press Enter faster than React re-renders.
            const field = e.currentTarget.elements.namedItem('message');
            if (chat.send(field instanceof HTMLInputElement ? field.value : draft)) {
              setDraft('');
              if (field instanceof HTMLInputElement) field.value = '';
            }
          }}
        >
          <input
            name="message"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={sessionLive ? 'Type and press Enter; no need to wait for the reply' : 'Start or resume a session first'}
            disabled={!sessionLive}
            data-testid="message-input"
            autoComplete="off"
          />
          <button type="submit" className="primary" disabled={!sessionLive} data-testid="send">
            Send
          </button>
        </form>
        {shownId && chat.metaBase && (
          <MetadataEditor
            sdk={sdk}
            conversationId={shownId}
            base={chat.metaBase}
            onSaved={() => chat.reloadFromStorage()}
          />
        )}
      </section>
      <LivePanel />
    </div>
  );
}

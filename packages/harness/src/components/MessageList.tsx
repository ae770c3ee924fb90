'use client';
import { useEffect, useRef } from 'react';
import { lineBadge, type ChatLine } from '../lib/chat-view';

/**
 * The messages of the shown conversation, each reply beside its question,
 * with a badge saying what happened to it. The list scrolls inside its own
 * box (the input below stays on screen) and long words wrap.
 */
export function MessageList({ lines, onRetry }: { lines: readonly ChatLine[]; onRetry: (id: string) => void }) {
  const box = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  // Follow new text while the user is at the bottom; leave them alone when they scrolled up.
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });
  return (
    <ol
      className="messages"
      data-testid="messages"
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {lines.length === 0 && <li className="empty muted">No messages yet.</li>}
      {lines.map((l, i) => {
        const badge = lineBadge(l);
        return (
          <li
            key={l.id}
            className={`msg ${l.role}${l.replyTo ? ' reply' : ''}`}
            data-testid="message"
            data-id={l.id}
            data-index={i}
            data-role={l.role}
            data-state={l.state}
            data-streaming={l.streaming ? 'true' : 'false'}
            data-partial={l.partial ? 'true' : 'false'}
            data-reply-to={l.replyTo ?? ''}
          >
            <div className="msg-head">
              <span className="who">{l.role === 'user' ? 'you' : l.role}</span>
              <span className={`badge ${badge.tone}`} data-testid="message-badge">
                {badge.text}
              </span>
              {l.partial && !l.streaming && badge.text !== 'partial' && (
                <span className="badge warn" data-testid="message-partial">
                  partial
                </span>
              )}
              {l.state === 'failed' && (
                <button className="small-button" onClick={() => onRetry(l.id)} data-testid="message-retry">
                  Retry
                </button>
              )}
            </div>
            <div className="msg-body" data-testid="message-content">
              {l.content}
            </div>
            {l.streaming && <span className="cursor">▍</span>}
          </li>
        );
      })}
    </ol>
  );
}

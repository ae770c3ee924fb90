'use client';
import { useEffect, useRef, useState } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { useConversations } from '@s5chat/react';
import { useHarness } from './HarnessProvider';

interface Item {
  id: string;
  title?: string;
  updatedAt: number;
}

interface Detail {
  count: number;
  status?: string;
  /** First user message, the label when the conversation has no title. */
  first?: string;
}

/** How many list entries get their message count read (one conversation read each, two at a time). */
const DETAIL_LIMIT = 20;

/**
 * The identity's conversations, read from the index on storage: title (or
 * the first question), message count and status. The index has no counts,
 * so each entry's count is read from the conversation itself, lazily.
 */
export function ConversationList(props: { sdk: Sdk; current: string | null; currentCount: number; onOpen: (id: string) => void }) {
  const { sdk, current, currentCount, onOpen } = props;
  const { reportError, reportSuccess } = useHarness();
  // The list itself comes from @s5chat/react (live through watchConversations); counts are read here.
  const list = useConversations({ pageSize: 30 });
  const items: Item[] = list.items;
  const loading = list.status === 'loading';
  const [details, setDetails] = useState<Record<string, Detail>>({});
  const detailsRef = useRef(details);
  detailsRef.current = details;
  const key = items.map((c) => `${c.id}:${c.updatedAt}`).join(',');

  useEffect(() => {
    if (list.status === 'error' && list.error) reportError(list.error, 'list conversations');
    if (list.status === 'ready') reportSuccess('list conversations');
  }, [list.status, list.error, reportError, reportSuccess]);

  useEffect(() => {
    let cancelled = false;
    Promise.resolve(items)
      .then(async (next) => {
        // Counts of entries not read yet (the open one's count comes from the page itself).
        const todo = next.slice(0, DETAIL_LIMIT).filter((c) => !detailsRef.current[c.id]);
        const worker = async () => {
          for (let c = todo.shift(); c && !cancelled; c = todo.shift()) {
            const conv = await sdk.storage.loadConversation(c.id).catch(() => null);
            if (!conv || cancelled) continue;
            const first = conv.messages.find((m) => m.role === 'user')?.content;
            const status = conv.metadata.status;
            const detail: Detail = { count: conv.messages.length };
            if (typeof status === 'string') detail.status = status;
            if (first) detail.first = first.slice(0, 60);
            setDetails((d) => ({ ...d, [c.id]: detail }));
          }
        };
        await Promise.all([worker(), worker()]);
      })
      .catch((e: unknown) => {
        if (!cancelled) reportError(e, 'read conversation counts');
      });
    return () => {
      cancelled = true;
    };
    // `items` changes identity with every list snapshot; `key` says when its content changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sdk, key, reportError]);

  return (
    <nav className="card list" data-testid="conversation-list">
      <div className="row">
        <h3>Conversations</h3>
        <button onClick={list.refresh} disabled={loading} data-testid="refresh-list">
          {loading ? '…' : 'Refresh'}
        </button>
      </div>
      {items.length === 0 && !loading && <p className="muted">None stored yet.</p>}
      <ul>
        {items.map((c) => {
          const d = details[c.id];
          const count = c.id === current && currentCount > 0 ? currentCount : d?.count;
          const label = c.title || d?.first || `Untitled ${c.id.slice(-6)}`;
          return (
            <li key={c.id} className={c.id === current ? 'active' : ''}>
              <button onClick={() => onOpen(c.id)} data-testid="open-conversation" data-id={c.id} title={c.id}>
                <span className="item-title" data-testid="conversation-item-title">{label}</span>
                <span className="muted small item-meta">
                  <span data-testid="conversation-item-count">{count === undefined ? '… msgs' : `${count} msg${count === 1 ? '' : 's'}`}</span>
                  {d?.status && c.id !== current && <> · {d.status}</>}
                  {c.updatedAt ? <> · {new Date(c.updatedAt).toLocaleTimeString()}</> : null}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

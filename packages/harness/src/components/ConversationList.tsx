'use client';
import { useEffect, useRef, useState } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { useHarness } from './HarnessProvider';

interface Item {
  id: string;
  title?: string;
  updatedAt?: number;
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
export function ConversationList(props: { sdk: Sdk; version: number; current: string | null; currentCount: number; onOpen: (id: string) => void }) {
  const { sdk, version, current, currentCount, onOpen } = props;
  const { reportError, reportSuccess } = useHarness();
  const [items, setItems] = useState<Item[]>([]);
  const [details, setDetails] = useState<Record<string, Detail>>({});
  const [loading, setLoading] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const detailsRef = useRef(details);
  detailsRef.current = details;

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    sdk.storage
      .listConversations({ limit: 30 })
      .then(async (page) => {
        if (cancelled) return;
        const next = page.items.map((c) => ({ id: c.id, ...(c.title ? { title: c.title } : {}), updatedAt: c.updatedAt }));
        setItems(next);
        reportSuccess('list conversations');
        // Counts: re-read the open conversation (it changes), the others once.
        const todo = next.slice(0, DETAIL_LIMIT).filter((c) => c.id === current || !detailsRef.current[c.id]);
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
        if (!cancelled) reportError(e, 'list conversations');
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
    // `current` is read when the list reloads, not a reason to reload it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sdk, version, refresh, reportError, reportSuccess]);

  return (
    <nav className="card list" data-testid="conversation-list">
      <div className="row">
        <h3>Conversations</h3>
        <button onClick={() => setRefresh((r) => r + 1)} disabled={loading} data-testid="refresh-list">
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
                  {d?.status && <> · {d.status}</>}
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

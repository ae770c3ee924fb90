'use client';
import { useEffect, useState } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { useHarness } from './HarnessProvider';

interface Item {
  id: string;
  title?: string;
  messageCount?: number;
  updatedAt?: number;
  status?: string;
}

function toItem(raw: unknown): Item | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const meta = (typeof r.metadata === 'object' && r.metadata !== null ? r.metadata : {}) as Record<string, unknown>;
  const id = r.id ?? r.conversationId;
  if (typeof id !== 'string') return null;
  const title = r.title ?? meta.title;
  const status = r.status ?? meta.status;
  const item: Item = { id };
  if (typeof title === 'string') item.title = title;
  if (typeof status === 'string') item.status = status;
  if (typeof r.messageCount === 'number') item.messageCount = r.messageCount;
  if (typeof r.updatedAt === 'number') item.updatedAt = r.updatedAt;
  return item;
}

/** The identity's conversations, read from the index on storage. */
export function ConversationList(props: { sdk: Sdk; version: number; current: string | null; onOpen: (id: string) => void }) {
  const { sdk, version, current, onOpen } = props;
  const { reportError } = useHarness();
  const [items, setItems] = useState<Item[]>([]);
  const [loading, setLoading] = useState(false);
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    sdk.storage
      .listConversations({ limit: 30 })
      .then((page) => {
        if (!cancelled) setItems(page.items.map(toItem).filter((x): x is Item => x !== null));
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
  }, [sdk, version, refresh, reportError]);

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
        {items.map((c) => (
          <li key={c.id} className={c.id === current ? 'active' : ''}>
            <button onClick={() => onOpen(c.id)} data-testid="open-conversation" data-id={c.id}>
              {c.title || c.id.slice(0, 12)}
            </button>
            <div className="muted small">
              {c.messageCount !== undefined && <>{c.messageCount} msgs · </>}
              {c.status && <>{c.status} · </>}
              {c.updatedAt ? new Date(c.updatedAt).toLocaleTimeString() : ''}
            </div>
          </li>
        ))}
      </ul>
    </nav>
  );
}

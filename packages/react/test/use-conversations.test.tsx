/**
 * useConversations against a real devnode over real sockets, under StrictMode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { StorageManager, type Sdk } from '@s5chat/sdk-core';
import { useConversations } from '../src/index.js';
import { device, newSeed, startNode, uniqueId, wrapperFor, type Node } from './support.js';

let node: Node;
let sdk: Sdk;
const seed = newSeed();
const created: string[] = [];

/** storage.watchConversations (contract 4) is in this SDK build. */
const WATCH_LIST = typeof (StorageManager.prototype as unknown as { watchConversations?: unknown }).watchConversations === 'function';

beforeAll(async () => {
  node = await startNode();
  sdk = await device(node, seed, 'device-a');
  // Created one after another, so the list order (most recently updated first) is known.
  for (let i = 0; i < 5; i++) {
    const id = uniqueId(`list-${i}`);
    await sdk.saveConversation({ id, metadata: { title: `Conversation ${i}` } });
    created.unshift(id);
  }
});
afterAll(async () => {
  await sdk?.close();
  await node?.stop();
});

describe('useConversations', () => {
  it('loads the list, most recent first, and pages with loadMore()', async () => {
    const { result } = renderHook(() => useConversations({ pageSize: 2 }), { wrapper: wrapperFor(sdk) });
    expect(result.current.status).toBe('loading');
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(result.current.items.map((i) => i.id)).toEqual(created.slice(0, 2));
    expect(result.current.items[0]?.title).toBe('Conversation 4');
    expect(result.current.hasMore).toBe(true);
    act(() => result.current.loadMore());
    await waitFor(() => expect(result.current.items).toHaveLength(4));
    act(() => result.current.loadMore());
    await waitFor(() => expect(result.current.items).toHaveLength(5));
    expect(result.current.items.map((i) => i.id)).toEqual(created);
    expect(result.current.hasMore).toBe(false);
  });

  it('shows a conversation this SDK creates without reload, and unsubscribes on unmount', async () => {
    const before = sdk.storage.listenerCount();
    const { result, unmount } = renderHook(() => useConversations(), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('ready'));
    const id = uniqueId('fresh');
    await sdk.storage.appendMessage(id, { role: 'user', content: 'hi' });
    await waitFor(() => expect(result.current.items[0]?.id).toBe(id));
    expect(sdk.storage.listenerCount()).toBeGreaterThan(before);
    unmount();
    expect(sdk.storage.listenerCount()).toBe(before);
  });

  it("is 'idle' without an SDK", () => {
    const { result } = renderHook(() => useConversations(), { wrapper: wrapperFor(null) });
    expect(result.current.status).toBe('idle');
    expect(result.current.items).toEqual([]);
  });

  it.skipIf(!WATCH_LIST)('shows a conversation another device creates without reload (watchConversations)', async () => {
    const b = await device(node, seed, 'device-b');
    try {
      const { result } = renderHook(() => useConversations(), { wrapper: wrapperFor(sdk) });
      await waitFor(() => expect(result.current.status).toBe('ready'));
      const id = uniqueId('other-device');
      await b.saveConversation({ id, metadata: { title: 'from b' } });
      await waitFor(() => expect(result.current.items.map((i) => i.id)).toContain(id), { timeout: 15_000 });
    } finally {
      await b.close();
    }
  });
});

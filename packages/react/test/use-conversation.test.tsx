/**
 * useConversation against a real devnode over real sockets (loopback, port 0), under StrictMode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { StorageManager, type Sdk } from '@s5chat/sdk-core';
import { PortalClient, S5Identity } from '@s5chat/s5';
import { useConversation, type ChatMessage, type SendOutcome } from '../src/index.js';
import { device, newSeed, startNode, uniqueId, wrapperFor, type Node } from './support.js';

let node: Node;
let sdk: Sdk;
const seed = newSeed();

beforeAll(async () => {
  node = await startNode();
  sdk = await device(node, seed, 'device-a');
});
afterAll(async () => {
  await sdk?.close();
  await node?.stop();
});

/** storage.watch (contract 4) is in this SDK build. */
const WATCH = typeof (StorageManager.prototype as unknown as { watch?: unknown }).watch === 'function';

const ids = (ms: ChatMessage[]) => ms.map((m) => m.id);

describe('useConversation', () => {
  it('goes loading → ready with the stored messages in the SDK order', async () => {
    const id = uniqueId('load');
    // Stored out of order on purpose: the hook must show the SDK's (timestamp, id) order.
    await sdk.storage.appendMessages(id, [
      { id: 'm2', role: 'assistant', content: 'second', timestamp: 2_000 },
      { id: 'm1', role: 'user', content: 'first', timestamp: 1_000 },
      { id: 'm3', role: 'user', content: 'third', timestamp: 3_000 },
    ]);
    const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
    expect(result.current.status).toBe('loading');
    expect(result.current.messages).toEqual([]);
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(ids(result.current.messages)).toEqual(['m1', 'm2', 'm3']);
    expect(result.current.messages.every((m) => m.delivery === 'stored')).toBe(true);
    expect(result.current.conversation?.id).toBe(id);
    expect(result.current.conversation?.revision).toBeGreaterThan(0);
    expect(result.current.pending).toEqual([]);
  });

  it("reports 'missing' for a conversation that does not exist, and 'idle' without an id", async () => {
    const { result, rerender } = renderHook(({ id }: { id: string | null }) => useConversation(id), {
      wrapper: wrapperFor(sdk),
      initialProps: { id: null as string | null },
    });
    expect(result.current.status).toBe('idle');
    rerender({ id: uniqueId('absent') });
    await waitFor(() => expect(result.current.status).toBe('missing'));
    expect(result.current.conversation).toBeNull();
  });

  it('reports a typed error for an invalid id (nothing is read)', async () => {
    const { result } = renderHook(() => useConversation('not a valid id!'), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect((result.current.error as { code?: string }).code).toBe('VALIDATION');
  });

  it('shows a send at once as sending, then as stored once durable; a new conversation becomes ready', async () => {
    const id = uniqueId('send');
    const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('missing'));
    let sent!: Promise<SendOutcome>;
    act(() => {
      sent = result.current.send('hello there');
    });
    // Before any answer from the node: shown, marked sending.
    expect(result.current.messages).toHaveLength(1);
    expect(result.current.messages[0]).toMatchObject({ role: 'user', content: 'hello there', delivery: 'sending' });
    expect(result.current.pending).toHaveLength(1);
    const outcome = await act(() => sent);
    expect(outcome.status).toBe('durable');
    await waitFor(() => expect(result.current.messages[0]?.delivery).toBe('stored'));
    expect(result.current.pending).toEqual([]);
    expect(result.current.status).toBe('ready');
    // Same id on the node as in the view.
    const stored = await sdk.loadConversation(id);
    expect(stored?.messages.map((m) => m.id)).toEqual([result.current.messages[0]!.id]);
    await waitFor(() => expect(result.current.conversation?.id).toBe(id));
  });

  it('orders optimistic messages among stored ones by (timestamp, id)', async () => {
    const id = uniqueId('order');
    await sdk.storage.appendMessages(id, [
      { id: 'a', role: 'user', content: 'a', timestamp: 1_000 },
      { id: 'c', role: 'user', content: 'c', timestamp: 3_000 },
    ]);
    const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('ready'));
    let sent!: Promise<SendOutcome>;
    act(() => {
      sent = result.current.send({ id: 'b', role: 'user', content: 'b', timestamp: 2_000 });
    });
    expect(ids(result.current.messages)).toEqual(['a', 'b', 'c']);
    expect(result.current.messages.map((m) => m.delivery)).toEqual(['stored', 'sending', 'stored']);
    await act(() => sent);
    expect(ids(result.current.messages)).toEqual(['a', 'b', 'c']);
    expect(result.current.messages.map((m) => m.delivery)).toEqual(['stored', 'stored', 'stored']);
  });

  it('marks a failed send with its typed error; retry() stores it once the portal answers again', async () => {
    // A client whose circuit breaker opens at the first failure and stays open 1.5 s: longer than
    // its own retries (none here), so a retry right after the outage meets the open circuit.
    const backend = new PortalClient({
      portalUrl: node.url,
      identity: S5Identity.fromSeedPhrase(seed),
      policy: { maxRetries: 0, breakerThreshold: 1, halfOpenInitialMs: 1500, halfOpenAfterMs: 1500 },
    });
    const other = await device(node, seed, 'device-failing', { outbox: false, backend, portalUrl: undefined });
    try {
      const id = uniqueId('fail');
      const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(other) });
      await waitFor(() => expect(result.current.status).toBe('missing'));
      node.setFaults({ errorRate: 1 });
      let outcome!: SendOutcome;
      try {
        outcome = await act(() => result.current.send('through the outage'));
      } finally {
        node.setFaults({ errorRate: 0 });
      }
      expect(outcome.status).toBe('failed');
      const failed = result.current.messages[0]!;
      expect(failed.delivery).toBe('failed');
      expect((failed.error as { code?: string }).code).toBe('PORTAL_UNAVAILABLE');
      expect(typeof failed.retry).toBe('function');
      // The portal answers again but the circuit is still open: ONE retry is enough — it meets the
      // open circuit, shows the message as sending while it waits for the half-open moment the
      // error names (details.retryAfterMs), then sends.
      const requestsBefore = node.stats().requests.total;
      const retried = act(() => failed.retry!());
      await waitFor(() => expect(result.current.messages[0]?.delivery).toBe('sending'));
      const again: SendOutcome = await retried;
      expect(again.status).toBe('durable');
      expect(again.message.id).toBe(failed.id);
      expect(node.stats().requests.total).toBeGreaterThan(requestsBefore);
      await waitFor(() => expect(result.current.messages.map((m) => [m.id, m.delivery])).toEqual([[failed.id, 'stored']]));
      const stored = await other.loadConversation(id);
      expect(stored?.messages.map((m) => m.id)).toEqual([failed.id]);
    } finally {
      node.setFaults({ errorRate: 0 });
      await other.close();
    }
  });

  it('rejects bad input with a typed VALIDATION error on the message (nothing written)', async () => {
    const id = uniqueId('invalid');
    const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('missing'));
    const outcome = await act(() => result.current.send({ role: 'robot' as never, content: 'x' }));
    expect(outcome.status).toBe('failed');
    expect(result.current.messages[0]?.delivery).toBe('failed');
    expect((result.current.messages[0]?.error as { code?: string }).code).toBe('VALIDATION');
    expect(await sdk.loadConversation(id)).toBeNull();
  });

  it('never shows another conversation’s messages while ids switch quickly (with latency)', async () => {
    const a = uniqueId('switch-a');
    const b = uniqueId('switch-b');
    const c = uniqueId('switch-c');
    const content: Record<string, string[]> = {};
    for (const id of [a, b, c]) {
      content[id] = [`${id}-1`, `${id}-2`];
      await sdk.storage.appendMessages(id, content[id]!.map((mid, i) => ({ id: mid, role: 'user' as const, content: mid, timestamp: 1_000 + i })));
    }
    const seen: { id: string; shown: string[]; status: string }[] = [];
    node.setFaults({ latencyMs: 40, jitterMs: 60 });
    try {
      const { result, rerender } = renderHook(
        ({ id }: { id: string }) => {
          const r = useConversation(id);
          seen.push({ id, shown: ids(r.messages), status: r.status });
          return r;
        },
        { wrapper: wrapperFor(sdk), initialProps: { id: a } },
      );
      // Switch faster than a load takes: loads for earlier ids answer after the view moved on.
      for (const id of [b, c, a, c, b, a, b]) {
        rerender({ id });
        await new Promise((r) => setTimeout(r, 15));
      }
      await waitFor(() => expect(result.current.status).toBe('ready'));
      expect(ids(result.current.messages)).toEqual(content[b]);
    } finally {
      node.setFaults({ latencyMs: 0, jitterMs: 0 });
    }
    expect(seen.length).toBeGreaterThan(8);
    for (const render of seen) {
      for (const mid of render.shown) expect(mid.startsWith(render.id)).toBe(true);
    }
  });

  it('settles after loading: re-renders do not re-subscribe or re-read (no loops)', async () => {
    const id = uniqueId('stable');
    await sdk.storage.appendMessage(id, { role: 'user', content: 'x' });
    const { result, rerender } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('ready'));
    const { send, refresh } = result.current;
    // Let the subscribe-time reads (the load, the watch's baseline) finish first.
    await new Promise((r) => setTimeout(r, 500));
    const listeners = sdk.storage.listenerCount();
    const reads = node.stats().registry.gets;
    for (let i = 0; i < 5; i++) rerender();
    await new Promise((r) => setTimeout(r, 500));
    expect(node.stats().registry.gets).toBe(reads);
    expect(sdk.storage.listenerCount()).toBe(listeners);
    expect(result.current.send).toBe(send);
    expect(result.current.refresh).toBe(refresh);
  });

  it('a send made just before switching away lands in its own conversation and shows there on return', async () => {
    const a = uniqueId('away-a');
    const b = uniqueId('away-b');
    await sdk.storage.appendMessage(b, { id: 'b-only', role: 'user', content: 'b', timestamp: 1 });
    const { result, rerender } = renderHook(({ id }: { id: string }) => useConversation(id), { wrapper: wrapperFor(sdk), initialProps: { id: a } });
    await waitFor(() => expect(result.current.status).toBe('missing'));
    let sent!: Promise<SendOutcome>;
    act(() => {
      sent = result.current.send('meant for a');
    });
    rerender({ id: b });
    expect(result.current.messages.map((m) => m.content)).not.toContain('meant for a');
    await act(() => sent);
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(ids(result.current.messages)).toEqual(['b-only']);
    rerender({ id: a });
    await waitFor(() => expect(result.current.messages.map((m) => [m.content, m.delivery])).toEqual([['meant for a', 'stored']]));
    expect((await sdk.loadConversation(a))?.messages.map((m) => m.content)).toEqual(['meant for a']);
    expect((await sdk.loadConversation(b))?.messages.map((m) => m.id)).toEqual(['b-only']);
  });

  it('unsubscribes everything on unmount', async () => {
    const id = uniqueId('unmount');
    await sdk.storage.appendMessage(id, { role: 'user', content: 'x' });
    const before = sdk.storage.listenerCount();
    const { result, unmount } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(sdk.storage.listenerCount()).toBeGreaterThan(before);
    unmount();
    expect(sdk.storage.listenerCount()).toBe(before);
  });

  it('shows a write made by this SDK outside the hook (e.g. another component) without reload', async () => {
    const id = uniqueId('own');
    await sdk.storage.appendMessage(id, { id: 'first', role: 'user', content: 'first', timestamp: 1 });
    const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
    await waitFor(() => expect(result.current.status).toBe('ready'));
    await sdk.storage.appendMessage(id, { id: 'second', role: 'user', content: 'second', timestamp: 2 });
    await waitFor(() => expect(ids(result.current.messages)).toEqual(['first', 'second']));
  });

  it.skipIf(!WATCH)('shows a write of another device of the same identity without reload (storage.watch)', async () => {
    const id = uniqueId('devices');
    const b = await device(node, seed, 'device-b');
    try {
      await sdk.storage.appendMessage(id, { id: 'from-a', role: 'user', content: 'from a', timestamp: 1 });
      const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
      await waitFor(() => expect(result.current.status).toBe('ready'));
      await b.storage.appendMessage(id, { id: 'from-b', role: 'user', content: 'from b', timestamp: 2 });
      await waitFor(() => expect(ids(result.current.messages)).toEqual(['from-a', 'from-b']), { timeout: 15_000 });
    } finally {
      await b.close();
    }
  });
});

/**
 * The live parts: two SDK instances of one identity (two devices, real sockets, the devnode's P2P
 * socket), the outbox while the portal fails, and watch subscriptions released on unmount.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { Sdk } from '@s5chat/sdk-core';
import { useConversation, useSession, type SendOutcome } from '../src/index.js';
import { controlledTokens, device, newSeed, startNode, uniqueId, wrapperFor, type Node } from './support.js';

let node: Node;
let a: Sdk;
let b: Sdk;
const seed = newSeed();

beforeAll(async () => {
  node = await startNode();
  a = await device(node, seed, 'device-a');
  b = await device(node, seed, 'device-b');
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await node?.stop();
});

describe('live across devices', () => {
  it("shows device A's streamed reply growing on device B, then whole", async () => {
    const writer = renderHook(() => useSession(), { wrapper: wrapperFor(a) });
    act(() => {
      writer.result.current.start();
    });
    await waitFor(() => expect(writer.result.current.status).toBe('active'));
    const id = writer.result.current.conversationId!;
    const reader = renderHook(() => useConversation(id), { wrapper: wrapperFor(b) });
    await waitFor(() => expect(reader.result.current.status).toBe('ready'));

    const src = controlledTokens();
    let streamed!: Promise<SendOutcome>;
    act(() => {
      streamed = writer.result.current.stream(src.tokens, { checkpointMs: 50 });
    });
    // Keep feeding tokens until B has seen a checkpoint (a partial version of the reply).
    let partial = '';
    let pushed = '';
    for (let i = 0; i < 100 && !partial; i++) {
      pushed += `t${i} `;
      act(() => src.push(`t${i} `));
      await new Promise((r) => setTimeout(r, 60));
      const m = reader.result.current.messages.find((x) => x.role === 'assistant');
      if (m) partial = m.content;
    }
    expect(partial).not.toBe('');
    act(() => {
      src.push('end.');
      src.end();
    });
    const outcome = await act(() => streamed);
    expect(outcome.status).toBe('durable');
    const whole = `${pushed}end.`;
    expect(whole.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(whole.length);
    await waitFor(() => expect(reader.result.current.messages.find((x) => x.role === 'assistant')?.content).toBe(whole));
    writer.unmount();
    reader.unmount();
  });

  it("a conversation deleted on device A turns 'missing' on device B", async () => {
    const id = uniqueId('deleted');
    await a.storage.appendMessage(id, { role: 'user', content: 'soon gone' });
    const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(b) });
    await waitFor(() => expect(result.current.status).toBe('ready'));
    expect(result.current.messages).toHaveLength(1);
    await a.storage.deleteConversation(id);
    await waitFor(() => expect(result.current.status).toBe('missing'));
    expect(result.current.messages).toEqual([]);
  });

  it('releases its watch (and every listener) on unmount', async () => {
    const id = uniqueId('watch-release');
    await a.storage.appendMessage(id, { role: 'user', content: 'x' });
    // Observe watch subscriptions by wrapping the real method (the watch itself still runs).
    const storage = a.storage;
    const real = storage.watch.bind(storage);
    let active = 0;
    storage.watch = (cid, fn, opts) => {
      const off = real(cid, fn, opts);
      active++;
      return () => {
        active--;
        off();
      };
    };
    try {
      const listeners = storage.listenerCount();
      const { result, unmount } = renderHook(() => useConversation(id), { wrapper: wrapperFor(a) });
      await waitFor(() => expect(result.current.status).toBe('ready'));
      expect(active).toBe(1); // StrictMode mounted twice; the first subscription was released
      unmount();
      expect(active).toBe(0);
      expect(storage.listenerCount()).toBe(listeners);
    } finally {
      delete (storage as { watch?: unknown }).watch; // back to the prototype's method
    }
  });
});

describe('outbox', () => {
  it('a send while the portal fails shows as queued, then stored once it answers again', async () => {
    const sdk = await device(node, seed, 'device-outbox', { storage: { crossTab: false, outboxRetry: { initialMs: 100, maxMs: 400 } } });
    try {
      const id = uniqueId('queued');
      await sdk.storage.appendMessage(id, { id: 'before', role: 'user', content: 'before', timestamp: 1 });
      const { result } = renderHook(() => useConversation(id), { wrapper: wrapperFor(sdk) });
      await waitFor(() => expect(result.current.status).toBe('ready'));
      node.setFaults({ errorRate: 1 });
      let outcome: SendOutcome;
      try {
        outcome = await act(() => result.current.send({ id: 'offline', role: 'user', content: 'typed offline', timestamp: 2 }));
        expect(outcome.status).toBe('queued');
        expect(result.current.messages.map((m) => [m.id, m.delivery])).toEqual([['before', 'stored'], ['offline', 'queued']]);
        expect(result.current.pending.map((m) => m.id)).toEqual(['offline']);
      } finally {
        node.setFaults({ errorRate: 0 });
      }
      await waitFor(() => expect(result.current.messages.map((m) => [m.id, m.delivery])).toEqual([['before', 'stored'], ['offline', 'stored']]), { timeout: 20_000 });
      expect(result.current.pending).toEqual([]);
      expect((await b.loadConversation(id))?.messages.map((m) => m.id)).toEqual(['before', 'offline']);
    } finally {
      node.setFaults({ errorRate: 0 });
      await sdk.close();
    }
  });
});

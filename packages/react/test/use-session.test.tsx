/**
 * useSession (with a useConversation of the same id beside it, as a chat page has) against a real
 * devnode over real sockets, under StrictMode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { Sdk } from '@s5chat/sdk-core';
import { useConversation, useSession, type SendOutcome, type UseSessionOptions } from '../src/index.js';
import { controlledTokens, device, newSeed, startNode, uniqueId, wrapperFor, type Node } from './support.js';

let node: Node;
let sdk: Sdk;

beforeAll(async () => {
  node = await startNode();
  sdk = await device(node, newSeed(), 'device-a');
});
afterAll(async () => {
  await sdk?.close();
  await node?.stop();
});

function useChat(opts: UseSessionOptions = {}) {
  const session = useSession(opts);
  const view = useConversation(session.conversationId ?? opts.conversationId);
  return { session, view };
}

describe('useSession', () => {
  it('starts a session (active in storage) and shows sends at once in the conversation view', async () => {
    const { result } = renderHook(() => useChat({ metadata: { title: 'demo' } }), { wrapper: wrapperFor(sdk) });
    expect(result.current.session.status).toBe('idle');
    act(() => {
      result.current.session.start();
    });
    expect(result.current.session.status).toBe('starting');
    const id = result.current.session.conversationId!;
    expect(id).toBeTruthy();
    await waitFor(() => expect(result.current.session.status).toBe('active'));
    let sent!: Promise<SendOutcome>;
    act(() => {
      sent = result.current.session.send('What is S5?');
    });
    expect(result.current.view.messages.map((m) => [m.content, m.delivery])).toEqual([['What is S5?', 'sending']]);
    expect((await act(() => sent)).status).toBe('durable');
    await waitFor(() => expect(result.current.view.messages.map((m) => m.delivery)).toEqual(['stored']));
    const stored = await sdk.loadConversation(id);
    expect(stored?.metadata).toMatchObject({ status: 'active', title: 'demo' });
    expect(stored?.messages.map((m) => m.content)).toEqual(['What is S5?']);
  });

  it('shows a streamed reply growing, then stored whole', async () => {
    const { result } = renderHook(() => useChat(), { wrapper: wrapperFor(sdk) });
    act(() => {
      result.current.session.start();
    });
    await waitFor(() => expect(result.current.session.status).toBe('active'));
    const id = result.current.session.conversationId!;
    const src = controlledTokens();
    let streamed!: Promise<SendOutcome>;
    act(() => {
      streamed = result.current.session.stream(src.tokens);
    });
    act(() => src.push('Hel', 'lo'));
    await waitFor(() => expect(result.current.session.streaming?.content).toBe('Hello'));
    const live = result.current.view.messages.find((m) => m.role === 'assistant');
    expect(live).toMatchObject({ content: 'Hello', delivery: 'streaming' });
    expect(live?.id).toBe(result.current.session.streaming?.messageId);
    act(() => {
      src.push(' world');
      src.end();
    });
    const outcome = await act(() => streamed);
    expect(outcome.status).toBe('durable');
    expect(result.current.session.streaming).toBeNull();
    await waitFor(() => expect(result.current.view.messages.map((m) => [m.content, m.delivery])).toEqual([['Hello world', 'stored']]));
    const stored = await sdk.loadConversation(id);
    expect(stored?.messages).toHaveLength(1);
    expect(stored?.messages[0]).toMatchObject({ id: live!.id, role: 'assistant', content: 'Hello world' });
    expect(stored?.messages[0]?.metadata?.partial).toBeUndefined();
  });

  it('end() mid-stream stops a blocked token source, stores the partial reply and ends the session', async () => {
    const { result } = renderHook(() => useChat(), { wrapper: wrapperFor(sdk) });
    act(() => {
      result.current.session.start();
    });
    await waitFor(() => expect(result.current.session.status).toBe('active'));
    const id = result.current.session.conversationId!;
    const src = controlledTokens(); // never ended: the "model" hangs after its first tokens
    let streamed!: Promise<SendOutcome>;
    act(() => {
      streamed = result.current.session.stream(src.tokens);
    });
    act(() => src.push('half an ', 'answer'));
    await waitFor(() => expect(result.current.session.streaming?.content).toBe('half an answer'));
    const ended = await act(() => result.current.session.end());
    expect(ended.status).toBe('ended');
    expect(result.current.session.status).toBe('ended');
    expect((await streamed).status).toBe('durable');
    const stored = await sdk.loadConversation(id);
    expect(stored?.metadata.status).toBe('ended');
    expect(stored?.messages.map((m) => [m.content, m.metadata?.partial])).toEqual([['half an answer', true]]);
    await waitFor(() => expect(result.current.view.messages.map((m) => m.delivery)).toEqual(['stored']));
  });

  it('resumes an existing conversation; send without a session is a typed NO_SESSION failure', async () => {
    const id = uniqueId('resume');
    await sdk.storage.appendMessage(id, { id: 'earlier', role: 'user', content: 'earlier', timestamp: 1 });
    const { result } = renderHook(() => useChat({ conversationId: id }), { wrapper: wrapperFor(sdk) });
    const early = await act(() => result.current.session.send('too soon'));
    expect(early.status).toBe('failed');
    expect((early as { error: { code: string } }).error.code).toBe('NO_SESSION');
    act(() => {
      result.current.session.start();
    });
    expect(result.current.session.conversationId).toBe(id);
    await waitFor(() => expect(result.current.session.status).toBe('active'));
    await act(() => result.current.session.send({ id: 'later', role: 'user', content: 'later', timestamp: 2 }));
    await waitFor(() => expect(result.current.view.messages.map((m) => [m.id, m.delivery])).toEqual([['earlier', 'stored'], ['later', 'stored']]));
  });

  it('start() with an invalid conversation id reports a typed VALIDATION error', () => {
    const { result } = renderHook(() => useSession({ conversationId: 'no spaces allowed' }), { wrapper: wrapperFor(sdk) });
    act(() => {
      result.current.start();
    });
    expect(result.current.status).toBe('error');
    expect((result.current.error as { code: string }).code).toBe('VALIDATION');
  });

  it('keeps start/send/stream/end identities stable across renders', async () => {
    const { result, rerender } = renderHook(() => useSession(), { wrapper: wrapperFor(sdk) });
    const first = result.current;
    act(() => {
      result.current.start();
    });
    await waitFor(() => expect(result.current.status).toBe('active'));
    rerender();
    for (const k of ['start', 'send', 'stream', 'end', 'complete', 'reset'] as const) expect(result.current[k]).toBe(first[k]);
    await act(() => result.current.end());
  });
});

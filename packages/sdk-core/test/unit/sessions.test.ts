import { describe, expect, it } from 'vitest';
import { MemoryBackend, SessionManager } from '../../src/index.js';
import { Tap, manager } from '../support/helpers.js';

async function* tokens(n: number, delayMs = 0) {
  for (let i = 0; i < n; i++) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    yield `t${i} `;
  }
}
const expected = (n: number) => Array.from({ length: n }, (_, i) => `t${i} `).join('');

describe('sessions', () => {
  it('start → messages → complete, status and times in metadata', async () => {
    const sm = manager(new MemoryBackend());
    const sessions = new SessionManager(sm, () => 5000);
    const s = sessions.start({ conversationId: 's1', metadata: { title: 'Chat' } });
    await s.ready;
    await s.sendUserMessage('hello');
    const c = await s.complete();
    expect(c.messageCount).toBe(1);
    const loaded = (await sm.loadConversation('s1'))!;
    expect(loaded.metadata).toEqual({ title: 'Chat', status: 'completed', startTime: 5000, endTime: 5000 });
  });

  it('streamAssistant persists once at the end plus coalesced checkpoints, never per token', async () => {
    const backend = new MemoryBackend();
    const tap = new Tap(backend);
    const sm = manager(backend, { backend: tap });
    const s = new SessionManager(sm).start({ conversationId: 's2' });
    await s.ready;
    tap.calls = [];
    const r = await s.streamAssistant(tokens(300), { checkpointMs: 0 });
    const writes = tap.count('registrySet');
    expect(writes).toBeGreaterThanOrEqual(1);
    // 300 tokens, at most one checkpoint in flight. How many tokens one write spans depends on
    // microtask depth (the source here never yields to the event loop), not on time.
    expect(writes).toBeLessThan(60);
    expect(r.message.content).toBe(expected(300));
    const loaded = (await sm.loadConversation('s2'))!;
    expect(loaded.messages).toHaveLength(1);
    expect(loaded.messages[0]!.content).toBe(expected(300));
  });

  it('with a checkpoint interval, a slow stream writes only a few checkpoints', async () => {
    const backend = new MemoryBackend();
    const tap = new Tap(backend);
    const sm = manager(backend, { backend: tap });
    // The session's clock advances 2 ms per token (not the machine's: the count must not depend on load).
    let clock = 0;
    const s = new SessionManager(sm, () => clock).start({ conversationId: 's3' });
    await s.ready;
    tap.calls = [];
    async function* paced() {
      for (let i = 0; i < 40; i++) {
        await new Promise((r) => setTimeout(r, 0));
        clock += 2;
        yield `t${i} `;
      }
    }
    await s.streamAssistant(paced(), { checkpointMs: 30 });
    expect(tap.count('registrySet')).toBeLessThanOrEqual(6);
  });

  it('ending mid-stream keeps every message and the reply so far (end() stops the source); status ends as ended', async () => {
    const backend = new MemoryBackend({ faults: { latencyMs: 1 } });
    const sm = manager(backend);
    const s = new SessionManager(sm).start({ conversationId: 's4' });
    // rapid user messages without waiting, like the manual test
    const sends = [1, 2, 3, 4].map((i) => s.sendUserMessage(`question ${i}`));
    const stream = s.streamAssistant(tokens(50, 1), { checkpointMs: 5 });
    await new Promise((r) => setTimeout(r, 15));
    const ended = s.end();
    await Promise.all([...sends, stream, ended]);
    await sm.flush();
    const loaded = (await manager(backend).loadConversation('s4'))!;
    expect(loaded.messages).toHaveLength(5);
    expect(loaded.messages.filter((m) => m.role === 'user').map((m) => m.content).sort()).toEqual(['question 1', 'question 2', 'question 3', 'question 4']);
    const reply = loaded.messages.find((m) => m.role === 'assistant')!;
    expect(expected(50).startsWith(reply.content)).toBe(true);
    // defect 9: a reply is flagged partial exactly when it was cut short
    expect(reply.metadata?.partial === true).toBe(reply.content !== expected(50));
    expect(loaded.metadata.status).toBe('ended');
    expect(typeof loaded.metadata.endTime).toBe('number');
  });

  it('a failing token source still saves the partial reply (marked) and rethrows', async () => {
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 's5' });
    async function* broken() {
      yield 'partial ';
      yield 'text';
      throw new Error('model went away');
    }
    await expect(s.streamAssistant(broken(), { messageId: 'reply' })).rejects.toThrow('model went away');
    const loaded = (await sm.loadConversation('s5'))!;
    expect(loaded.messages).toEqual([expect.objectContaining({ id: 'reply', content: 'partial text', metadata: { partial: true } })]);
  });

  it('a stream stopped by opts.signal saves the text so far marked partial, and resolves', async () => {
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 's6' });
    const controller = new AbortController();
    async function* source() {
      yield 'first ';
      yield 'second ';
      controller.abort(); // the caller stops the reply here; later tokens must not be stored
      yield 'third';
    }
    const r = await s.streamAssistant(source(), { messageId: 'cut', signal: controller.signal, metadata: { model: 'm' } });
    expect(r.message.content).toBe('first second ');
    expect(r.message.metadata).toEqual({ model: 'm', partial: true });
    const loaded = (await sm.loadConversation('s6'))!;
    expect(loaded.messages).toEqual([expect.objectContaining({ id: 'cut', content: 'first second ', metadata: { model: 'm', partial: true } })]);
  });

  it('a reply cut short because the session ended mid-stream is marked partial; status is ended', async () => {
    // Like the harness: ending stops the token source (its own signal, not passed to the SDK).
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 's7' });
    const stopSource = new AbortController();
    async function* source() {
      for (let i = 0; i < 50; i++) {
        if (stopSource.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 1));
        yield `t${i} `;
      }
    }
    const stream = s.streamAssistant(source(), { messageId: 'reply', checkpointMs: 5 });
    await new Promise((r) => setTimeout(r, 10));
    stopSource.abort();
    const ended = s.end();
    const [r] = await Promise.all([stream, ended]);
    await sm.flush();
    const loaded = (await sm.loadConversation('s7'))!;
    const reply = loaded.messages.find((m) => m.id === 'reply')!;
    expect(reply.content).toBe(r.message.content);
    expect(reply.content.length).toBeLessThan(expected(50).length);
    expect(reply.metadata).toEqual({ partial: true });
    expect(loaded.metadata.status).toBe('ended');
  });

  it('a reply that finishes normally carries no partial mark (nor the streaming checkpoint mark)', async () => {
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 's8' });
    const controller = new AbortController(); // passed but never aborted
    const r = await s.streamAssistant(tokens(20, 1), { messageId: 'done', checkpointMs: 0, signal: controller.signal });
    expect(r.message.metadata).toBeUndefined();
    const loaded = (await sm.loadConversation('s8'))!;
    expect(loaded.messages).toHaveLength(1);
    expect(loaded.messages[0]!.content).toBe(expected(20));
    expect(loaded.messages[0]!.metadata).toBeUndefined();
  });
});

describe('sessions: defects 4, 9, 11', () => {
  it('defect 4: sendUserMessage takes an id and an operation id; re-sending stores one message', async () => {
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 'd4' });
    const a = await s.sendUserMessage('hi', undefined, { operationId: 'send-1' });
    const b = await s.sendUserMessage('hi', undefined, { operationId: 'send-1' });
    expect(a.message.id).toBe('send-1');
    expect(b.message.id).toBe('send-1');
    const c = await s.sendUserMessage('hello', { lang: 'en' }, { id: 'mine' });
    expect(c.message).toMatchObject({ id: 'mine', metadata: { lang: 'en' } });
    expect((await sm.loadConversation('d4'))!.messages.map((m) => m.id).sort()).toEqual(['mine', 'send-1']);
  });

  it('defect 9: abort stops a stalled token source at once and saves the partial reply', async () => {
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 'd9a' });
    const controller = new AbortController();
    let returned = false;
    const stalled: AsyncIterable<string> = {
      [Symbol.asyncIterator]() {
        let n = 0;
        return {
          next: () => (n++ === 0 ? Promise.resolve({ done: false, value: 'so far' }) : new Promise<IteratorResult<string>>(() => undefined)),
          return: async () => {
            returned = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    const stream = s.streamAssistant(stalled, { messageId: 'r', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const r = await stream; // resolves although the source never answers again
    expect(r.message).toMatchObject({ content: 'so far', metadata: { partial: true } });
    await new Promise((r) => setTimeout(r, 0));
    expect(returned).toBe(true);
  });

  it('defect 9: a non-string token fails typed as STREAM_FAILED (not VALIDATION) after saving the partial', async () => {
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 'd9b' });
    async function* bad() {
      yield 'ok ';
      yield 42 as unknown as string;
    }
    const err = await s.streamAssistant(bad(), { messageId: 'r' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STREAM_FAILED', messageId: 'r' });
    expect(((err as { cause: { code: string } }).cause).code).toBe('VALIDATION');
    expect((await sm.loadConversation('d9b'))!.messages).toEqual([expect.objectContaining({ id: 'r', content: 'ok ', metadata: { partial: true } })]);
  });

  it('defect 9: end() stops a source that keeps producing; the reply is flagged partial only because it was cut', async () => {
    const sm = manager(new MemoryBackend());
    const s = new SessionManager(sm).start({ conversationId: 'd9c' });
    let produced = 0;
    async function* endless() {
      for (;;) {
        await new Promise((r) => setTimeout(r, 1));
        produced++;
        yield 'x';
      }
    }
    const stream = s.streamAssistant(endless(), { messageId: 'r', checkpointMs: 1000 });
    await new Promise((r) => setTimeout(r, 20));
    await s.end();
    const r = await stream;
    await new Promise((r) => setTimeout(r, 20)); // a token already being produced may still finish
    const after = produced;
    await new Promise((r) => setTimeout(r, 20));
    expect(produced).toBe(after); // the source was told to stop
    expect(r.message.metadata).toEqual({ partial: true });
    expect(r.message.content).toBe('x'.repeat(r.message.content.length));
  });

  it('defect 11: resuming a session keeps startTime and does not reopen an ended session', async () => {
    const sm = manager(new MemoryBackend());
    let t = 1000;
    const sessions = new SessionManager(sm, () => t);
    const first = sessions.start({ conversationId: 'd11' });
    await first.ready;
    await first.end();
    t = 9000;
    const resumed = sessions.start({ conversationId: 'd11', metadata: { title: 'Chat' } });
    await resumed.ready;
    const loaded = (await sm.loadConversation('d11'))!;
    expect(loaded.metadata).toMatchObject({ startTime: 1000, status: 'ended', title: 'Chat' });
  });
});

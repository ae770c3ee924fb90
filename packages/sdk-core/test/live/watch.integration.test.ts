/**
 * watch / watchConversations against the REAL devnode over real sockets: two StorageManagers with
 * one identity (two devices), over P2P and over polling; another tab over BroadcastChannel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode, type Devnode } from '@s5chat/devnode';
import type { BroadcastChannelLike, ConversationsWatchEvent, LiveTransportMode, WatchEvent } from '../../src/index.js';
import { slowTokens, twoDevices, waitFor } from './support.js';

// The Dart HEAD profile (a real portal's wire: /s5/p2p for Host = its domain, no subscription
// route, registry read timing) unless S5CHAT_TEST_PROFILE says otherwise; the subscription path
// needs a portal that has one, so it runs on the permissive devnode profile.
const PROFILE = (process.env.S5CHAT_TEST_PROFILE as 'dart' | 'devnode' | undefined) ?? 'dart';
let node: Devnode;
let withSubscription: Devnode;
beforeAll(async () => {
  node = await startDevnode({ port: 0, profile: PROFILE, timeScale: 0.005 });
  withSubscription = await startDevnode({ port: 0, profile: 'devnode' });
});
afterAll(async () => {
  await Promise.all([node?.stop(), withSubscription?.stop()]);
});

const modes: { mode: LiveTransportMode; live: Record<string, unknown>; portal: () => Devnode }[] = [
  { mode: 'p2p', live: { transport: 'p2p' }, portal: () => node },
  { mode: 'poll', live: { transport: 'poll', pollMinMs: 50, pollMaxMs: 200 }, portal: () => node },
  { mode: 'subscription', live: { transport: 'subscription' }, portal: () => withSubscription },
];

describe.each(modes)('watch across two devices over $mode', ({ mode, live, portal }) => {
  it('B sees what A commits: the state at subscribe time, then only new or changed messages, metadata, a growing streamed reply, the delete', async () => {
    const { a, b, close } = await twoDevices(portal().url, { live });
    const conv = `watch-${mode}`;
    try {
      await a.storage.appendMessage(conv, { id: 'm0', role: 'user', content: 'before subscribing' });
      const events: WatchEvent[] = [];
      const off = b.storage.watch(conv, (e) => events.push(e));
      await waitFor(() => events.length === 1, 15_000, 'initial event');
      expect(events[0]!.messages.map((m) => m.id)).toEqual(['m0']);
      expect(events[0]!.source).toBe('device');

      await a.storage.appendMessage(conv, { id: 'm1', role: 'user', content: 'hello from A' });
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'm1')), 15_000, 'm1');
      const withM1 = events.find((e) => e.messages.some((m) => m.id === 'm1'))!;
      expect(withM1.messages.map((m) => m.id)).toEqual(['m1']); // the diff, not the whole conversation
      expect(withM1.source).toBe('device');

      await a.storage.updateMetadata(conv, { title: 'renamed on A' });
      await waitFor(() => events.some((e) => e.metadata?.title === 'renamed on A'), 15_000, 'metadata');

      // A streams a reply with checkpoints; B sees the same message id grow.
      const session = a.sessions.start({ conversationId: conv });
      await session.ready;
      await session.streamAssistant(slowTokens(24, 25), { messageId: 'reply', checkpointMs: 100 });
      const final = Array.from({ length: 24 }, (_, i) => `t${i} `).join('');
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'reply' && m.content === final)), 15_000, 'final reply');
      const versions = events.flatMap((e) => e.messages.filter((m) => m.id === 'reply').map((m) => m.content.length));
      expect(versions.length).toBeGreaterThanOrEqual(2); // at least one checkpoint before the end
      expect([...versions].sort((x, y) => x - y)).toEqual(versions); // only ever growing
      const revisions = events.map((e) => e.revision);
      expect([...revisions].sort((x, y) => x - y)).toEqual(revisions);

      await a.storage.deleteConversation(conv);
      await waitFor(() => events.some((e) => e.deleted === true), 15_000, 'delete');
      off();
    } finally {
      await close();
    }
  });

  it('never reports this device its own writes, and watchConversations follows the list', async () => {
    const { a, b, close } = await twoDevices(portal().url, { live });
    try {
      const events: WatchEvent[] = [];
      const lists: ConversationsWatchEvent[] = [];
      b.storage.watch(`own-${mode}`, (e) => events.push(e));
      b.storage.watchConversations((e) => lists.push(e));
      await waitFor(() => lists.length === 1, 15_000, 'initial list');
      expect(lists[0]!.items).toEqual([]);

      // Several own writes: the portal's push of each usually arrives before the reply to it.
      for (let i = 0; i < 8; i++) await b.storage.appendMessage(`own-${mode}`, { id: i === 0 ? 'mine' : `mine-${i}`, role: 'user', content: 'written by B' });
      await a.storage.appendMessage(`own-${mode}`, { id: 'theirs', role: 'user', content: 'written by A' });
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'theirs')), 15_000, 'A message');
      expect(events.flatMap((e) => e.messages.map((m) => m.id)).filter((id) => id.startsWith('mine'))).toEqual([]);

      await a.storage.saveConversation({ id: `listed-${mode}`, metadata: { title: 'made on A' }, messages: [] });
      await waitFor(() => lists.some((l) => l.items.some((i) => i.title === 'made on A')), 15_000, 'list entry');
      expect(lists.at(-1)!.source).toBe('device');
    } finally {
      await close();
    }
  });
});

describe('one P2P socket per portal', () => {
  it('watching several conversations and the list opens a single connection', async () => {
    const before = node.stats().p2p.connections;
    const { a, b, close } = await twoDevices(node.url, { live: { transport: 'p2p' } });
    try {
      const got = new Set<string>();
      for (const c of ['s1', 's2', 's3']) b.storage.watch(c, (e) => e.messages.forEach(() => got.add(c)));
      b.storage.watchConversations(() => undefined);
      await waitFor(() => node.stats().p2p.connections - before >= 1);
      await Promise.all(['s1', 's2', 's3'].map((c) => a.storage.appendMessage(c, { role: 'user', content: c })));
      await waitFor(() => got.size === 3, 15_000, 'three conversations');
      expect(node.stats().p2p.connections - before).toBe(1);
    } finally {
      await close();
    }
  });
});

describe('another tab', () => {
  it("reports a commit of another tab (BroadcastChannel) with source 'tab'", async () => {
    // Polling practically off: only the tab announcement can trigger the read.
    const crossTab = { locks: null, createChannel: (name: string) => new BroadcastChannel(name) as unknown as BroadcastChannelLike, channelName: `tabs-${Date.now()}` };
    const { a, b, close } = await twoDevices(node.url, { storage: { crossTab }, live: { transport: 'poll', pollMinMs: 60_000, pollMaxMs: 60_000 } });
    try {
      const events: WatchEvent[] = [];
      b.storage.watch('tabbed', (e) => events.push(e));
      await new Promise((r) => setTimeout(r, 200));
      await a.storage.appendMessage('tabbed', { id: 'from-tab', role: 'user', content: 'other tab' });
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'from-tab')), 10_000, 'tab event');
      expect(events.find((e) => e.messages.some((m) => m.id === 'from-tab'))!.source).toBe('tab');
    } finally {
      await close();
    }
  });
});

describe("transport 'auto'", () => {
  const registryGets = () => node.stats().requests.byRoute['GET /s5/registry'] ?? 0;

  it('uses the P2P push while its socket is connected: no polling while nothing changes', async () => {
    const { a, b, close } = await twoDevices(node.url, { live: { pollMinMs: 50, pollMaxMs: 50 } });
    try {
      const events: WatchEvent[] = [];
      b.storage.watch('auto-p2p', (e) => events.push(e));
      await waitFor(() => node.stats().p2p.handshakes > 0 && registryGets() > 0);
      await new Promise((r) => setTimeout(r, 300));
      const idleFrom = registryGets();
      await new Promise((r) => setTimeout(r, 600)); // twelve poll intervals
      expect(registryGets()).toBe(idleFrom);
      await a.storage.appendMessage('auto-p2p', { id: 'pushed', role: 'user', content: 'over P2P' });
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'pushed')), 10_000, 'pushed message');
    } finally {
      await close();
    }
  });

  it("a read that fails after a push is read again later: B's HTTP fails while A's entries arrive over P2P, then recovers", async () => {
    // What a device meets after an outage: the P2P socket is back and pushes arrive, but its HTTP
    // reads still fail for a moment (the client's circuit breaker is still open). No newer entry
    // comes after A's last write, so only a retry of the failed read shows it.
    let blocked = false;
    let refused = 0;
    const flaky: typeof fetch = (input, init) => {
      if (blocked) {
        refused++;
        return Promise.reject(new TypeError('fetch failed (test: B offline for HTTP)'));
      }
      return fetch(input, init);
    };
    const { a, b, close } = await twoDevices(node.url, {}, { fetch: flaky });
    try {
      const events: WatchEvent[] = [];
      const lists: ConversationsWatchEvent[] = [];
      await a.storage.appendMessage('retry-read', { id: 'first', role: 'user', content: 'before B watches' });
      b.storage.watch('retry-read', (e) => events.push(e));
      b.storage.watchConversations((e) => lists.push(e));
      await waitFor(() => events.length === 1 && lists.length === 1 && node.stats().p2p.handshakes > 0, 15_000, 'initial events');
      blocked = true;
      await a.storage.appendMessage('retry-read', { id: 'late', role: 'user', content: 'written while B could not read' });
      await a.storage.appendMessage('retry-later', { id: 'new', role: 'user', content: 'a new conversation: a list write' });
      await waitFor(() => refused > 0, 10_000, 'a refused read on B (the push arrived)');
      await new Promise((r) => setTimeout(r, 1_000));
      blocked = false;
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'late')), 20_000, 'the late message on B');
      await waitFor(() => lists.some((l) => l.items.some((c) => c.id === 'retry-later')), 20_000, 'the conversation in B\'s list');
    } finally {
      blocked = false;
      await close();
    }
  });

  it('falls back when the portal has no P2P (nothing listens at the peer URI): still delivers', async () => {
    const dead = await startDevnode({ port: 0 });
    const deadUrl = `ws://127.0.0.1:${new URL(dead.url).port}/s5/p2p`;
    await dead.stop();
    const { a, b, close } = await twoDevices(node.url, {}, { live: { p2pUrl: deadUrl, pollMinMs: 100, pollMaxMs: 400 } });
    try {
      const events: WatchEvent[] = [];
      b.storage.watch('auto-fallback', (e) => events.push(e));
      await a.storage.appendMessage('auto-fallback', { id: 'f1', role: 'user', content: 'one' });
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'f1')), 10_000, 'f1');
      await a.storage.appendMessage('auto-fallback', { id: 'f2', role: 'user', content: 'two' });
      await waitFor(() => events.some((e) => e.messages.some((m) => m.id === 'f2')), 10_000, 'f2');
    } finally {
      await close();
    }
  });
});

describe('bad input', () => {
  it('a bad conversation id or listener is a typed ValidationError; a closed manager refuses with CLOSED', async () => {
    const { b, close } = await twoDevices(node.url, { live: { transport: 'poll' } });
    expect(() => b.storage.watch('not a valid id!', () => undefined)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => b.storage.watch('ok', 'nope' as never)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => b.storage.watchConversations(undefined as never)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    await close();
    expect(() => b.storage.watch('ok', () => undefined)).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });
});

/**
 * Exactly-once effects over real sockets: the devnode applies a registry set and resets the
 * connection before answering (its reset-after-handling fault). Another device writes on top
 * before the first device's client retries, so "is my entry still current?" says no — only the
 * applied-operations window in the head can tell that the operation already landed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { RevisionConflictError, type S5ChatError } from '../../src/index.js';
import { device, freshIdentity, type Node } from './wire-faults.js';

let node: Node;
beforeAll(async () => {
  node = await startDevnode({ port: 0 });
});
afterAll(async () => {
  await node?.stop();
});

const msg = (id: string, content = id, timestamp = 1) => ({ id, role: 'user' as const, content, timestamp });

describe('exactly-once: lost reply + another device writes on top', () => {
  it('defect 1: a delete whose reply was lost is not applied again on top of a later append', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    const b = device(node, id, 'B');
    await a.storage.appendMessage('c', msg('m0'));
    // A's delete lands; before A learns it, B (who sees the delete) appends m1.
    a.resetAfterNextSet(async () => {
      expect(await b.storage.loadConversation('c')).toBeNull();
      await b.storage.appendMessage('c', msg('m1'));
    });
    const del = await a.storage.deleteConversation('c');
    expect(del.revision).toBeGreaterThanOrEqual(3);
    expect(node.stats().faults.resets).toBeGreaterThan(0);
    const loaded = (await device(node, id, 'C').storage.loadConversation('c'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['m1']); // B's append made after it saw the delete
  });

  it('defect 1: a rename whose reply was lost does not revert a later acknowledged rename', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    const b = device(node, id, 'B');
    await a.storage.appendMessage('c', msg('m0'));
    a.resetAfterNextSet(async () => {
      expect((await b.storage.loadConversation('c'))!.metadata.title).toBe('from A');
      await b.storage.updateMetadata('c', { title: 'from B' });
    });
    await a.storage.updateMetadata('c', { title: 'from A' });
    expect((await device(node, id, 'C').storage.loadConversation('c'))!.metadata.title).toBe('from B');
  });

  it('defect 1: an overwrite whose reply was lost does not bring back a message deleted after it', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    const b = device(node, id, 'B');
    await a.storage.appendMessage('c', msg('old'));
    a.resetAfterNextSet(async () => {
      await b.storage.deleteMessage('c', 'x');
    });
    await a.storage.saveConversation({ id: 'c', messages: [msg('x'), msg('y', 'y', 2)] }, { onConflict: 'overwrite' });
    const loaded = (await device(node, id, 'C').storage.loadConversation('c'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['y']);
  });

  it('defect 7: an optimistic save that landed is never reported as REVISION_CONFLICT (lost reply + a stale read)', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    const created = await a.storage.saveConversation({ id: 'o', metadata: { title: 'v1' } });
    // After the reset, the client's own "did it land?" read is served stale (the previous revision).
    a.resetAfterNextSet(async () => {
      node.setFaults({ staleReadRate: 1 });
      a.afterRegistryGet = () => {
        node.setFaults({ staleReadRate: 0 }); // exactly one stale read: the client's own check
        a.afterRegistryGet = undefined;
      };
    });
    const r = await a.storage
      .saveConversation({ id: 'o', metadata: { title: 'v2' } }, { onConflict: 'fail', expectedRevision: created.revision })
      .catch((e: unknown) => e);
    node.setFaults({ staleReadRate: 0 });
    expect(r).not.toBeInstanceOf(RevisionConflictError);
    expect(r).toMatchObject({ revision: created.revision + 1 });
    expect((await device(node, id, 'C').storage.loadConversation('o'))!.metadata.title).toBe('v2');
  });
});

describe('exactly-once: errors after an unknown outcome', () => {
  it('defect 4: a retried append without an id is stored once (the error names the operation and message ids)', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    await a.storage.appendMessage('c', msg('m0'));
    // The set lands, then every retry of it fails at the transport: the outcome is unknown.
    a.resetAfterNextSet(undefined, { keepFailing: true });
    const err = (await a.storage.appendMessage('c', { role: 'user', content: 'hello' }).catch((e: unknown) => e)) as S5ChatError;
    a.heal();
    // whatever the transport error is (here the client's last TypeError), it names the operation
    const { operationId, messageIds, outcome } = err.details as { operationId: string; messageIds: string[]; outcome: string };
    expect(outcome).toBe('unknown');
    expect(messageIds).toHaveLength(1);
    // The README style: re-submit the same content, now with the operation id from the error.
    const again = await a.storage.appendMessage('c', { role: 'user', content: 'hello' }, { operationId });
    expect(again.message.id).toBe(messageIds[0]);
    const loaded = (await device(node, id, 'C').storage.loadConversation('c'))!;
    expect(loaded.messages.filter((m) => m.content === 'hello')).toHaveLength(1);
  });

  it('defect 4: with the outbox, the write is queued after an unknown outcome and replayed once', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A', { outbox: 'auto', outboxRetry: { initialMs: 20, maxMs: 50 } });
    await a.storage.appendMessage('c', msg('m0'));
    a.resetAfterNextSet(undefined, { keepFailing: true });
    const r = await a.storage.appendMessage('c', { role: 'user', content: 'queued once' });
    expect(r.status).toBe('queued');
    a.heal();
    for (let i = 0; i < 100 && a.storage.pendingWrites() > 0; i++) await new Promise((res) => setTimeout(res, 20));
    await a.storage.flush();
    const loaded = (await device(node, id, 'C').storage.loadConversation('c'))!;
    expect(loaded.messages.filter((m) => m.content === 'queued once')).toHaveLength(1);
  });

  it('defect 4: re-submitting an operation id is a no-op even after other devices wrote', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    const b = device(node, id, 'B');
    await a.storage.deleteConversation('gone', { operationId: 'del-1' }).catch(() => undefined);
    await a.storage.appendMessage('gone', msg('m0'));
    await a.storage.deleteConversation('gone', { operationId: 'del-2' });
    await b.storage.appendMessage('gone', msg('m1'));
    const r = await a.storage.deleteConversation('gone', { operationId: 'del-2' });
    expect(r.operationId).toBe('del-2');
    expect((await b.storage.loadConversation('gone'))!.messages.map((m) => m.id)).toEqual(['m1']);
  });
});

describe('the conversation list follows the data (defect 6)', () => {
  it('defect 6: a create whose reply was lost (another device wrote on top) is still listed', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    const b = device(node, id, 'B');
    a.resetAfterNextSet(async () => {
      await b.storage.appendMessage('listed', msg('m1', 'from B', 2));
    });
    await a.storage.appendMessage('listed', msg('m0'));
    const list = await device(node, id, 'C').storage.listConversations();
    expect(list.items.map((i) => i.id)).toContain('listed');
  });

  it('defect 6: a delete whose reply was lost (and then a stale read) is not listed; a lost rename shows the new title', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    await a.storage.saveConversation({ id: 'gone', metadata: { title: 'x' } });
    await a.storage.saveConversation({ id: 'named', metadata: { title: 'old' } });
    // After the reset, exactly one read is served stale (counted, not timed: with 5 ms retry pauses a
    // time window would outlast every attempt on a fast machine and pass only under load).
    a.resetAfterNextSet(async () => {
      node.setFaults({ staleReadRate: 1 });
      a.afterRegistryGet = () => {
        node.setFaults({ staleReadRate: 0 });
        a.afterRegistryGet = undefined;
      };
    });
    await a.storage.deleteConversation('gone');
    node.setFaults({ staleReadRate: 0 });
    const b = device(node, id, 'B');
    a.resetAfterNextSet(async () => {
      await b.storage.appendMessage('named', msg('m1'));
    });
    await a.storage.updateMetadata('named', { title: 'new' });
    const list = await device(node, id, 'C').storage.listConversations();
    expect(list.items.map((i) => [i.id, i.title])).toEqual([['named', 'new']]);
  });
});

describe('group-commit batches stay uploadable (defect 8)', () => {
  it('defect 8: 66 concurrent 256 KiB appends under default limits all succeed (several writes)', async () => {
    const id = freshIdentity();
    const a = device(node, id, 'A');
    const big = 'x'.repeat(256 * 1024 - 16);
    const results = await Promise.allSettled(Array.from({ length: 66 }, (_, i) => a.storage.appendMessage('big', msg(`b${i}`, big + i, i))));
    expect(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as { code?: string }).code)).toEqual([]);
    expect(a.storage.metrics().total.writes).toBeGreaterThan(1);
    expect((await device(node, id, 'C').storage.loadConversation('big'))!.messages).toHaveLength(66);
  }, 60_000);
});

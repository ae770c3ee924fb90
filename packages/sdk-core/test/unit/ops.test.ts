import { describe, expect, it } from 'vitest';
import { ConversationDeletedError, DEFAULT_LIMITS, RevisionConflictError, applyOps, emptyState, type ConversationState, type Message, type Op } from '../../src/index.js';

let epochs = 0;
const ctx = { deviceId: 'dev', limits: DEFAULT_LIMITS, newEpoch: () => `e${++epochs}` };
const m = (id: string, content = id, timestamp = 1): Message => ({ id, role: 'user', content, timestamp });

function stored(messages: Message[], extra: Partial<ConversationState> = {}): ConversationState {
  return {
    ...emptyState('c', 3),
    exists: true,
    epoch: 'e0',
    createdAt: 10,
    updatedAt: 20,
    messages: new Map(messages.map((x) => [x.id, x])),
    segments: [{ hash: 'A'.repeat(43), size: 4096, count: messages.length, firstTs: 1, lastTs: 1, level: 0 }],
    ...extra,
  };
}

describe('applyOps (pure)', () => {
  it('append: only new or winning versions go into the delta; re-appending is no change', () => {
    const s = stored([m('a'), m('b')]);
    const r = applyOps(s, [{ kind: 'append', messages: [m('b'), m('c')], at: 30 }], ctx);
    expect(r.newMessages.map((x) => x.id)).toEqual(['c']);
    expect(r.messageCount).toBe(3);
    expect(r.updatedAt).toBe(30);
    expect(applyOps(s, [{ kind: 'append', messages: [m('a')], at: 31 }], ctx).changed).toBe(false);
  });

  it('save (merge) keeps stored messages it did not know and flags it', () => {
    const s = stored([m('a'), m('b')]);
    const r = applyOps(s, [{ kind: 'save', conversation: { id: 'c', messages: [m('a'), m('z')], metadata: {} }, mode: 'merge', at: 40 }], ctx);
    expect([...r.messages.keys()].sort()).toEqual(['a', 'b', 'z']);
    expect(r.keptForeignMessages).toBe(true);
    expect(r.reset).toBe(false);
  });

  it("save 'fail' refuses on a revision mismatch (only that op), 'overwrite' starts a new epoch", () => {
    const s = stored([m('a')]);
    const ops: Op[] = [
      { kind: 'save', conversation: { id: 'c', messages: [m('x')], metadata: {} }, mode: 'fail', expectedRevision: 2, at: 1 },
      { kind: 'append', messages: [m('y')], at: 2 },
    ];
    const r = applyOps(s, ops, ctx);
    expect(r.opErrors[0]).toBeInstanceOf(RevisionConflictError);
    expect((r.opErrors[0] as RevisionConflictError).currentRevision).toBe(3);
    expect(r.opErrors[1]).toBeUndefined();
    expect([...r.messages.keys()].sort()).toEqual(['a', 'y']);
    const o = applyOps(s, [{ kind: 'save', conversation: { id: 'c', messages: [m('x')], metadata: { k: 1 } }, mode: 'overwrite', at: 5 }], ctx);
    expect(o.reset).toBe(true);
    expect(o.epoch).not.toBe('e0');
    expect([...o.messages.keys()]).toEqual(['x']);
    expect(o.segments).toEqual([]);
  });

  it('delete then append in one batch: a tombstone followed by a fresh conversation with only the append', () => {
    const s = stored([m('a'), m('b')]);
    const r = applyOps(s, [{ kind: 'delete', at: 50 }, { kind: 'append', messages: [m('n')], at: 51 }], ctx);
    expect(r.exists).toBe(true);
    expect([...r.messages.keys()]).toEqual(['n']);
    expect(r.newMessages.map((x) => x.id)).toEqual(['n']);
    const d = applyOps(s, [{ kind: 'delete', at: 50 }], ctx);
    expect(d).toMatchObject({ exists: false, deleted: true, deletedAt: 50, messageCount: 0, deletedNow: true });
    const meta = applyOps({ ...emptyState('c', 4), deleted: true, epoch: 'e9' }, [{ kind: 'metadata', patch: { a: 1 }, mode: 'merge', at: 1 }], ctx);
    expect(meta.opErrors[0]).toBeInstanceOf(ConversationDeletedError);
  });

  it('compaction swaps segments in place and is skipped when they are gone', () => {
    const seg = (h: string) => ({ hash: h.repeat(43), size: 4096, count: 1, firstTs: 1, lastTs: 1, level: 0 });
    const s = stored([m('a')], { segments: [seg('A'), seg('B'), seg('C')] });
    const op: Op = { kind: 'compact', epoch: 'e0', replace: [seg('A').hash, seg('B').hash], with: seg('D') };
    expect(applyOps(s, [op], ctx).segments.map((x) => x.hash[0])).toEqual(['D', 'C']);
    const gone = applyOps({ ...s, segments: [seg('B'), seg('C')] }, [op], ctx);
    expect(gone.changed).toBe(false);
    expect(applyOps({ ...s, epoch: 'other' }, [op], ctx).changed).toBe(false);
  });

  it('metadata: stale snapshot keys lose to newer stored clocks; explicit updates always win', () => {
    const s = stored([], { metadata: { values: { status: 'ended', title: 'x' }, clocks: { status: [100, 'b'], title: [5, 'a'] } } });
    const r = applyOps(s, [{ kind: 'save', conversation: { id: 'c', messages: [], metadata: { status: 'active', title: 'y' }, updatedAt: 50 }, mode: 'merge', at: 60 }], ctx);
    expect(r.metadata.values).toEqual({ status: 'ended', title: 'y' });
    expect(r.titleChanged).toBe(true);
    const u = applyOps(s, [{ kind: 'metadata', patch: { status: 'active' }, mode: 'merge', at: 10 }], ctx);
    expect(u.metadata.values.status).toBe('active');
    expect(u.metadata.clocks.status![0]).toBe(101);
  });
});

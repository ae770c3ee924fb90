/**
 * The page's own logic that the browser tests rely on, checked directly (no
 * browser): the stress verdict, the metadata merge, the simulated assistant.
 */
import { expect, test } from '@playwright/test';
import { computeVerdict, validateStressInputs, type OpRecord } from '../../src/lib/stress';
import { mergeStored, orderForDisplay, type ChatLine } from '../../src/lib/chat-view';
import { mergeEditable, changedKeys } from '../../src/lib/metadata';
import { simulatedReply, streamTokens } from '../../src/lib/assistant';
import { describeError } from '../../src/lib/errors';

const op = (id: string, state: OpRecord['state']): OpRecord => ({ id, device: 1, state });

test('verdict: acknowledged-but-missing is lost; extra copies are duplicates; foreign ids are unexpected', () => {
  const ops = [op('a', 'ok'), op('b', 'ok'), op('c', 'fail'), op('d', 'ok')];
  const v = computeVerdict(ops, ['a', 'a', 'c', 'd', 'zzz']);
  expect(v).toMatchObject({ sent: 4, acknowledged: 3, failed: 1, present: 2, lost: 1, lostIds: ['b'], duplicates: 1, unexpected: 1, failedButPresent: 1, ok: false });
  // A failed write fails the run, even when everything acknowledged is stored.
  expect(computeVerdict(ops, ['a', 'b', 'd'])).toMatchObject({ ok: false, outcome: 'fail', lost: 0 });
  expect(computeVerdict([op('a', 'ok'), op('b', 'ok')], ['a', 'b'])).toMatchObject({ ok: true, outcome: 'pass' });
  expect(computeVerdict([op('x', 'fail')], []).outcome).toBe('fail');
  // Nothing sent: not a pass, and not a failure of the SDK either.
  expect(computeVerdict([], [])).toMatchObject({ ok: false, outcome: 'empty' });
});

test('stress inputs: whole numbers inside the limits, one message per bad field', () => {
  expect(validateStressInputs({ devices: '3', appends: '20', intervalMs: '0' })).toEqual({ ok: true, value: { devices: 3, appends: 20, intervalMs: 0 } });
  const bad = validateStressInputs({ devices: '-1', appends: '1.5', intervalMs: 'x' });
  expect(bad.ok).toBe(false);
  if (!bad.ok) expect(bad.issues.map((i) => i.field)).toEqual(['devices', 'appends', 'intervalMs']);
  expect(validateStressInputs({ devices: '0', appends: '501', intervalMs: '' }).ok).toBe(false);
});

const line = (id: string, role: ChatLine['role'], t: number, extra: Partial<ChatLine> = {}): ChatLine => ({
  id, role, content: id, timestamp: t, state: 'saved', streaming: false, partial: false, ...extra,
});

test('chat view: replies beside their questions; a reload keeps what is still streaming', () => {
  const q1 = line('q1', 'user', 1);
  const q2 = line('q2', 'user', 2);
  const a1 = line('a1', 'assistant', 3, { replyTo: 'q1' });
  const a2 = line('a2', 'assistant', 4, { replyTo: 'q2' });
  expect(orderForDisplay([q1, q2, a1, a2]).map((l) => l.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
  // Storage has q1 and a short checkpoint of a1; locally a1 is longer and still streaming, q2 is sending.
  const local = [q1, { ...a1, content: 'a long streamed text', streaming: true }, { ...q2, state: 'sending' as const }];
  const merged = mergeStored(local, [
    { id: 'q1', role: 'user', content: 'q1', timestamp: 1 },
    { id: 'a1', role: 'assistant', content: 'a lo', timestamp: 3, metadata: { replyTo: 'q1', streaming: true } },
  ]);
  expect(merged.map((l) => [l.id, l.state, l.content])).toEqual([
    ['q1', 'stored', 'q1'],
    ['a1', 'saved', 'a long streamed text'],
    ['q2', 'sending', 'q2'],
  ]);
  expect(merged[1]!.streaming).toBe(true);
});

test('metadata merge: their version plus only the fields I changed', () => {
  const base = { title: 'T', tags: '', notes: '' };
  const mine = { title: 'T', tags: 'urgent', notes: '' };
  const theirs = { title: 'T2', tags: '', notes: 'n' };
  expect(changedKeys(base, mine)).toEqual(['tags']);
  expect(mergeEditable(base, mine, theirs)).toEqual({ title: 'T2', tags: 'urgent', notes: 'n' });
});

test('simulated assistant: deterministic per prompt/seed, exact length, stops early on abort', async () => {
  const a = simulatedReply('hello', { length: 12, seed: 1 });
  expect(a).toHaveLength(12);
  expect(simulatedReply('hello', { length: 12, seed: 1 })).toEqual(a);
  expect(simulatedReply('hello', { length: 12, seed: 2 })).not.toEqual(a);
  const controller = new AbortController();
  const got: string[] = [];
  for await (const t of streamTokens(a, 1, controller.signal)) {
    got.push(t);
    if (got.length === 3) controller.abort();
  }
  expect(got).toEqual(a.slice(0, 3));
});

test('errors: the code and advice come from `code`, never from the message text', () => {
  const shown = describeError(Object.assign(new Error('Revision number too low'), { code: 'REVISION_CONFLICT', attempts: 4 }), 'append');
  expect(shown.code).toBe('REVISION_CONFLICT');
  expect(shown.details).toContain('attempts=4');
  expect(describeError(new Error('Revision number too low'), 'append').code).toBe('UNKNOWN');
});

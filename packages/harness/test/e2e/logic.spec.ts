/**
 * The page's own logic that the browser tests rely on, checked directly (no
 * browser): the stress verdict, the metadata merge, the simulated assistant.
 */
import { expect, test } from '@playwright/test';
import { computeVerdict, type OpRecord } from '../../src/lib/stress';
import { mergeEditable, changedKeys } from '../../src/lib/metadata';
import { simulatedReply, streamTokens } from '../../src/lib/assistant';
import { describeError } from '../../src/lib/errors';

const op = (id: string, state: OpRecord['state']): OpRecord => ({ id, device: 1, state });

test('verdict: acknowledged-but-missing is lost; extra copies are duplicates; foreign ids are unexpected', () => {
  const ops = [op('a', 'ok'), op('b', 'ok'), op('c', 'fail'), op('d', 'ok')];
  const v = computeVerdict(ops, ['a', 'a', 'c', 'd', 'zzz']);
  expect(v).toMatchObject({ sent: 4, acknowledged: 3, failed: 1, present: 2, lost: 1, lostIds: ['b'], duplicates: 1, unexpected: 1, failedButPresent: 1, ok: false });
  expect(computeVerdict(ops, ['a', 'b', 'd']).ok).toBe(true);
  // A run where nothing was acknowledged proves nothing.
  expect(computeVerdict([op('x', 'fail')], []).ok).toBe(false);
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

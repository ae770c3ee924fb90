/**
 * The stress run's bookkeeping and verdict, Jepsen set-full style: every
 * append is recorded as invoke / ok / fail; only acknowledged ones must be
 * present in the final read, exactly once; nothing may appear that was never
 * sent. Kept free of React so it can be reasoned about on its own.
 */
export type OpState = 'invoke' | 'ok' | 'fail';

export interface OpRecord {
  id: string;
  device: number;
  state: OpState;
  errorCode?: string;
}

export interface Verdict {
  sent: number;
  acknowledged: number;
  failed: number;
  /** Acknowledged ids present in storage (counted once each). */
  present: number;
  /** Acknowledged but missing from storage. */
  lost: number;
  lostIds: string[];
  /** Extra copies of any id in storage. */
  duplicates: number;
  /** Ids in storage that this run never sent. */
  unexpected: number;
  /** Sent, not acknowledged, but stored anyway (allowed: the ack was lost, not the write). */
  failedButPresent: number;
  totalMessagesStored: number;
  /** PASS only when every write was acknowledged and is stored exactly once. */
  ok: boolean;
  /** 'pass' | 'fail' | 'empty' (nothing was sent: nothing to judge, not a failure of the SDK). */
  outcome: 'pass' | 'fail' | 'empty';
}

export function computeVerdict(ops: readonly OpRecord[], storedIds: readonly string[]): Verdict {
  const counts = new Map<string, number>();
  for (const id of storedIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const sent = new Set(ops.map((o) => o.id));
  const acked = ops.filter((o) => o.state === 'ok');
  const lostIds = acked.filter((o) => !counts.has(o.id)).map((o) => o.id);
  let duplicates = 0;
  let unexpected = 0;
  for (const [id, n] of counts) {
    if (n > 1) duplicates += n - 1;
    // The conversation is fresh for every run, so any id this run did not send is foreign.
    if (!sent.has(id)) unexpected += 1;
  }
  const failedOps = ops.filter((o) => o.state === 'fail');
  const verdict: Verdict = {
    sent: ops.length,
    acknowledged: acked.length,
    failed: failedOps.length,
    present: acked.length - lostIds.length,
    lost: lostIds.length,
    lostIds: lostIds.slice(0, 20),
    duplicates,
    unexpected,
    failedButPresent: failedOps.filter((o) => counts.has(o.id)).length,
    totalMessagesStored: storedIds.length,
    ok: false,
    outcome: 'fail',
  };
  // A failed write is a failed run, even if the SDK said so honestly: the
  // stress page exists to show that nothing fails under these faults.
  verdict.ok =
    verdict.sent > 0 &&
    verdict.failed === 0 &&
    verdict.acknowledged === verdict.sent &&
    verdict.lost === 0 &&
    verdict.duplicates === 0 &&
    verdict.unexpected === 0;
  verdict.outcome = verdict.sent === 0 ? 'empty' : verdict.ok ? 'pass' : 'fail';
  return verdict;
}

export interface StressInputs {
  devices: number;
  appends: number;
  intervalMs: number;
}

export const STRESS_LIMITS = {
  devices: { min: 1, max: 10 },
  appends: { min: 1, max: 500 },
  intervalMs: { min: 0, max: 5000 },
} as const;

/**
 * Checks the stress form: whole numbers inside the limits. Returns one
 * message per offending field (empty = valid), so the page can say what is
 * wrong and refuse to run instead of running something else.
 */
export function validateStressInputs(raw: Record<keyof StressInputs, string>): { ok: true; value: StressInputs } | { ok: false; issues: Array<{ field: keyof StressInputs; message: string }> } {
  const issues: Array<{ field: keyof StressInputs; message: string }> = [];
  const value = {} as StressInputs;
  for (const field of ['devices', 'appends', 'intervalMs'] as const) {
    const { min, max } = STRESS_LIMITS[field];
    const text = String(raw[field] ?? '').trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) issues.push({ field, message: `expected a number, got "${text}"` });
    else if (!Number.isInteger(n)) issues.push({ field, message: `expected a whole number, got ${text}` });
    else if (n < min || n > max) issues.push({ field, message: `expected ${min}–${max}, got ${n}` });
    else value[field] = n;
  }
  return issues.length ? { ok: false, issues } : { ok: true, value };
}

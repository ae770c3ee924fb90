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
  ok: boolean;
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
  };
  verdict.ok = verdict.lost === 0 && verdict.duplicates === 0 && verdict.unexpected === 0 && verdict.acknowledged > 0;
  return verdict;
}

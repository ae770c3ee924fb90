/**
 * Fires operations on a schedule without waiting for earlier ones (an open-loop load generator,
 * as a chat UI fires appends), and records each one's acknowledgement latency.
 */
export interface FireOutcome {
  /** Per-operation latency in ms from its scheduled start to its promise settling; null if it failed. */
  ackMs: (number | null)[];
  errors: string[];
  /** Wall time from the first start to the last settlement. */
  totalMs: number;
}

export async function fireAtRate(
  count: number,
  perSecond: number | 'all-at-once',
  op: (index: number) => Promise<void>,
  onSettled?: (done: number) => void,
): Promise<FireOutcome> {
  const ackMs: (number | null)[] = new Array(count).fill(null);
  const errors: string[] = [];
  const started = performance.now();
  let done = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    if (perSecond !== 'all-at-once') {
      const due = started + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const t0 = performance.now();
    pending.push(
      op(i).then(
        () => {
          ackMs[i] = performance.now() - t0;
        },
        (err: unknown) => {
          errors.push(describeError(err));
        },
      ).finally(() => onSettled?.(++done)),
    );
  }
  await Promise.all(pending);
  return { ackMs, errors, totalMs: performance.now() - started };
}

export function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  const code = err && typeof err === 'object' && 'code' in err ? (err as { code: unknown }).code : undefined;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  createTransientPolicy,
  isTransientError,
  NotFoundError,
  PortalUnavailableError,
  RevisionTooLowError,
  revisionRetryDelays,
  sleep,
  TimeoutError,
  transientBackoffDelay,
  ValidationError,
} from '../src/index.js';

describe('revisionRetryDelays', () => {
  it('is [200, 400, 800] without jitter contribution', () => {
    expect(revisionRetryDelays({ random: () => 0 })).toEqual([200, 400, 800]);
  });
  it('adds up to 25% jitter by default', () => {
    expect(revisionRetryDelays({ random: () => 0.999999 }).map(Math.round)).toEqual([250, 500, 1000]);
    expect(revisionRetryDelays({ random: () => 0.5 })).toEqual([225, 450, 900]);
  });
  it('honours baseMs, retries and jitter', () => {
    expect(revisionRetryDelays({ baseMs: 10, retries: 5, jitter: 0, random: () => 0.7 })).toEqual([10, 20, 40, 80, 160]);
    expect(revisionRetryDelays({ retries: 0 })).toEqual([]);
  });
  it('every delay stays within [d, d·1.25] with Math.random', () => {
    for (let run = 0; run < 50; run++) {
      revisionRetryDelays().forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(200 * 2 ** i);
        expect(d).toBeLessThanOrEqual(200 * 2 ** i * 1.25);
      });
    }
  });
  it('rejects nonsense options', () => {
    expect(() => revisionRetryDelays({ retries: -1 })).toThrow(ValidationError);
    expect(() => revisionRetryDelays({ baseMs: Number.NaN })).toThrow(ValidationError);
  });
});

describe('sleep', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());
  it('resolves after the given time', async () => {
    let done = false;
    const p = sleep(100).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });
  it('rejects with AbortError on abort and clears its timer', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(1, ac.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('isTransientError', () => {
  it('classifies errors', () => {
    expect(isTransientError(new PortalUnavailableError('x', { status: 503 }))).toBe(true);
    expect(isTransientError(new TimeoutError('x'))).toBe(true);
    expect(isTransientError(new TypeError('fetch failed'))).toBe(true);
    expect(isTransientError(new RevisionTooLowError())).toBe(false);
    expect(isTransientError(new NotFoundError('blob'))).toBe(false);
    expect(isTransientError(new AbortError())).toBe(false);
    expect(isTransientError(new Error('boom'))).toBe(false);
  });
});

describe('createTransientPolicy', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('retries transient faults on the exact capped exponential schedule, then succeeds', async () => {
    const delays: number[] = [];
    const policy = createTransientPolicy({
      initialDelayMs: 100,
      maxDelayMs: 300,
      maxRetries: 4,
      jitter: 0.5,
      random: () => 0.5,
      breakerThreshold: 100,
      onRetry: (i) => delays.push(i.delayMs),
    });
    let calls = 0;
    const p = policy.execute(async () => {
      calls++;
      if (calls < 5) throw new PortalUnavailableError('503', { status: 503 });
      return 'ok';
    });
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe('ok');
    expect(calls).toBe(5);
    // d = min(300, 100·2^i) · (1 − 0.5·0.5)
    expect(delays).toEqual([75, 150, 225, 225]);
    expect(delays).toEqual([0, 1, 2, 3].map((a) => transientBackoffDelay(a, { initialDelayMs: 100, maxDelayMs: 300, jitter: 0.5, random: () => 0.5 })));
  });

  it('gives up after maxRetries and rethrows the last transient error', async () => {
    const policy = createTransientPolicy({ maxRetries: 2, random: () => 0, breakerThreshold: 100 });
    let calls = 0;
    const p = policy.execute(async () => {
      calls++;
      throw new TimeoutError(`t${calls}`);
    });
    const assertion = expect(p).rejects.toMatchObject({ code: 'TIMEOUT', shortMessage: 't3' });
    await vi.runAllTimersAsync();
    await assertion;
    expect(calls).toBe(3);
  });

  it('never retries a revision conflict or other definite answers', async () => {
    const policy = createTransientPolicy({ random: () => 0 });
    for (const err of [new RevisionTooLowError({ currentRevision: 7 }), new NotFoundError('x'), new Error('bug')]) {
      let calls = 0;
      await expect(
        policy.execute(async () => {
          calls++;
          throw err;
        }),
      ).rejects.toBe(err);
      expect(calls).toBe(1);
    }
  });

  it('opens the circuit after consecutive transient failures and fails fast with PortalUnavailableError', async () => {
    const policy = createTransientPolicy({ maxRetries: 0, breakerThreshold: 3, halfOpenAfterMs: 1000 });
    let calls = 0;
    const failing = () =>
      policy.execute(async () => {
        calls++;
        throw new PortalUnavailableError('down', { status: 502 });
      });
    for (let i = 0; i < 3; i++) await expect(failing()).rejects.toBeInstanceOf(PortalUnavailableError);
    expect(calls).toBe(3);
    const open = await failing().catch((e: unknown) => e);
    expect(open).toBeInstanceOf(PortalUnavailableError);
    expect((open as PortalUnavailableError).shortMessage).toMatch(/circuit is open/);
    expect(calls).toBe(3); // not called while open
    // It says when a call may go through again: the half-open moment, within the configured delay.
    const { circuit, retryAfterMs } = (open as PortalUnavailableError).details as { circuit: string; retryAfterMs: number };
    expect(circuit).toBe('open');
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1000);
    await vi.advanceTimersByTimeAsync(retryAfterMs - 1);
    const stillOpen = await failing().catch((e: unknown) => e);
    expect(((stillOpen as PortalUnavailableError).details as { retryAfterMs: number }).retryAfterMs).toBe(1);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    await expect(policy.execute(async () => 'back')).resolves.toBe('back'); // half-open trial closes it
  });

  it('rejects promptly on abort, even during a backoff sleep, and stops calling', async () => {
    const policy = createTransientPolicy({ initialDelayMs: 10_000, maxDelayMs: 10_000, jitter: 0, breakerThreshold: 100 });
    const ac = new AbortController();
    let calls = 0;
    const p = policy.execute(async () => {
      calls++;
      throw new PortalUnavailableError('503');
    }, ac.signal);
    const assertion = expect(p).rejects.toBeInstanceOf(AbortError);
    await vi.advanceTimersByTimeAsync(10);
    ac.abort();
    await assertion;
    await vi.runAllTimersAsync();
    expect(calls).toBe(1);
  });
});

describe('circuit breaker half-open delay', () => {
  it('lets a trial call through after halfOpenInitialMs, not the full halfOpenAfterMs', async () => {
    const policy = createTransientPolicy({ maxRetries: 0, breakerThreshold: 1, halfOpenInitialMs: 30, halfOpenAfterMs: 60_000 });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new PortalUnavailableError('down');
    };
    await expect(policy.execute(failing)).rejects.toBeInstanceOf(PortalUnavailableError);
    expect(calls).toBe(1);
    // Open: refused without calling the portal.
    await expect(policy.execute(failing)).rejects.toBeInstanceOf(PortalUnavailableError);
    expect(calls).toBe(1);
    await sleep(80);
    // Half-open well before 60 s: one trial call reaches the portal and succeeds, closing the circuit.
    await expect(policy.execute(async () => { calls++; return 'up'; })).resolves.toBe('up');
    expect(calls).toBe(2);
  });
});

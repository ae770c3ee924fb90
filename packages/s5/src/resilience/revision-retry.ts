import { ValidationError } from '../errors.js';

export interface RevisionRetryOptions {
  /** First delay in ms (default 200). Delays double: 200, 400, 800. */
  baseMs?: number;
  /** Number of retries after the first attempt (default 3 ⇒ up to 4 attempts). */
  retries?: number;
  /** Extra random fraction added to each delay, U(0, jitter) (default 0.25 ⇒ up to +25%). */
  jitter?: number;
  /** Source of uniform [0,1) numbers (default Math.random); inject for deterministic tests. */
  random?: () => number;
}

/**
 * The schedule for re-read → re-apply → set after "Revision number too low" (used by sdk-core's
 * StorageManager): `baseMs · 2^i · (1 + U(0, jitter))` for i = 0..retries-1, i.e. [200, 400, 800] plus
 * up to 25%. Jitter de-synchronises writers that collided on the same revision. This is the only
 * place the numbers live.
 */
export function revisionRetryDelays(opts: RevisionRetryOptions = {}): number[] {
  const { baseMs = 200, retries = 3, jitter = 0.25, random = Math.random } = opts;
  const issues = [];
  if (!(Number.isFinite(baseMs) && baseMs >= 0)) issues.push({ path: 'baseMs', message: 'expected a number >= 0' });
  if (!(Number.isInteger(retries) && retries >= 0 && retries <= 32)) issues.push({ path: 'retries', message: 'expected an integer in 0..32' });
  if (!(Number.isFinite(jitter) && jitter >= 0)) issues.push({ path: 'jitter', message: 'expected a number >= 0' });
  if (issues.length) throw new ValidationError(issues);
  return Array.from({ length: retries }, (_, i) => baseMs * 2 ** i * (1 + random() * jitter));
}

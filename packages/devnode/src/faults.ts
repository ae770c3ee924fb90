import type { FaultConfig, FaultInput } from './types.js';
import { badRequest } from './errors.js';
import { seededRandom } from './s5.js';

export const NO_FAULTS: FaultConfig = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  conflictRate: 0,
  staleReadRate: 0,
  resetRate: 0,
});

const RATE_KEYS = ['errorRate', 'conflictRate', 'staleReadRate', 'resetRate'] as const;
const DELAY_KEYS = ['latencyMs', 'jitterMs'] as const;
/** An injected delay longer than this is surely a typo (and would trip every client timeout). */
const MAX_DELAY_MS = 60_000;

/** Validate a partial fault config (from code, the CLI or `POST /admin/faults`); throws a 400 DevnodeError. */
export function parseFaultInput(input: unknown): FaultInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest('faults must be a JSON object like {"errorRate": 0.1}');
  }
  const out: FaultInput = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if ((RATE_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
        throw badRequest(`${key} must be a number in 0..1, got ${JSON.stringify(value)}`);
      }
      out[key as (typeof RATE_KEYS)[number]] = value;
    } else if ((DELAY_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
        throw badRequest(`${key} must be a number of milliseconds in 0..${MAX_DELAY_MS}, got ${JSON.stringify(value)}`);
      }
      out[key as (typeof DELAY_KEYS)[number]] = value;
    } else if (key === 'seed') {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw badRequest(`seed must be an integer, got ${JSON.stringify(value)}`);
      }
      out.seed = value;
    } else {
      throw badRequest(`unknown fault knob "${key}" (known: ${[...DELAY_KEYS, ...RATE_KEYS, 'seed'].join(', ')})`);
    }
  }
  return out;
}

/** Holds the current fault configuration and makes every random fault decision from one stream. */
export class FaultInjector {
  #config: FaultConfig = { ...NO_FAULTS };
  #random: () => number;
  readonly #fixedRandom: boolean;

  constructor(initial: FaultInput = {}, random?: () => number) {
    this.#fixedRandom = random !== undefined;
    this.#random = random ?? seededRandom(initial.seed ?? (Math.random() * 2 ** 32) >>> 0);
    this.set(initial);
  }

  get config(): FaultConfig {
    return { ...this.#config };
  }

  /** Merge `input` into the current config (validated first: nothing changes on bad input). */
  set(input: FaultInput): void {
    const parsed = parseFaultInput(input);
    const { seed, ...knobs } = parsed;
    if (seed !== undefined && !this.#fixedRandom) this.#random = seededRandom(seed);
    this.#config = { ...this.#config, ...knobs };
  }

  /** True with probability `rate`. Draws nothing when the rate is 0, so enabling one knob does not shift the others' stream. */
  roll(rate: number): boolean {
    return rate > 0 && this.#random() < rate;
  }

  /** Delay to inject for one request. */
  delayMs(): number {
    const { latencyMs, jitterMs } = this.#config;
    return latencyMs + (jitterMs > 0 ? this.#random() * jitterMs : 0);
  }

  /** Fair coin from the same stream (used to place a reset before or after handling). */
  coin(): boolean {
    return this.#random() < 0.5;
  }
}

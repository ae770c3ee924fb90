/**
 * Sizes of every scenario. Full sizes are the ones issue 6 names; `--quick` shrinks every count
 * (for the smoke test and fast iteration) and is marked as such in results.json.
 */
export type BenchProfile = 'devnode' | 'dart';
export const PROFILES: readonly BenchProfile[] = ['devnode', 'dart'];

export interface BenchSettings {
  quick: boolean;
  /** Devnode profiles to run, one block of results each (BENCH_PROFILES, default devnode,dart). */
  profiles: BenchProfile[];
  /** The devnode's timeScale for the `dart` profile's real waits (≈2 s first registry read, 200 ms hit). */
  timeScale: number;
  /** Latency the devnode injects on every request (BENCH_LATENCY_MS, default 50). */
  latencyMs: number;
  encryption: 'on' | 'off';
  /** s5chat's group-commit linger (BENCH_LINGER_MS); null = the SDK's default (no delay). */
  lingerMs: number | null;
  /** Content bytes of an ordinary chat message (the field's measured average is ~460 B). */
  messageBytes: number;
  stream: { appends: number; perSecond: number };
  /** `repeats` runs per side; the median run (by total time) is reported. */
  burst: { appends: number; repeats: number };
  long: {
    /** Length the conversation reaches at the last measured append (issue 6: 1,000). */
    messages: number;
    /** The earlier measured append (issue 6: #100). */
    earlyAppend: number;
    messageBytes: number;
    seedWave: number;
  };
  devices: { devices: number; appendsPerDevice: number; perSecondPerDevice: number };
  load: { messages: number; messageBytes: number; seedWave: number };
  /** `repeats` fresh identities / fresh conversations, the median reported. */
  create: { repeats: number };
  devices10: { devices: number; appendsPerDevice: number; perSecondPerDevice: number };
  /** A new process appends `appends` times (sequentially) to an existing `messages`-long conversation. */
  freshProcess: { messages: number; appends: number; seedWave: number };
  /**
   * Sequential commits on A, `gapMs` apart; B watches. `pollMs`: s5chat's polling floor when
   * polling is forced, and the baselines' reload interval (default 1,000 ms, the SDK's own floor).
   */
  watch: { commits: number; gapMs: number; pollMs: number };
  /** Hard limit for the whole run; the run stops with what it has after this. */
  timeoutMs: number;
}

export function benchSettings(opts: { quick: boolean; env?: NodeJS.ProcessEnv }): BenchSettings {
  const env = opts.env ?? process.env;
  const latencyMs = numberFromEnv(env.BENCH_LATENCY_MS, 50);
  const encryption = env.BENCH_ENCRYPTION === 'off' ? 'off' : 'on';
  const lingerMs = env.BENCH_LINGER_MS ? numberFromEnv(env.BENCH_LINGER_MS, 0) : null;
  const profiles = profilesFromEnv(env.BENCH_PROFILES);
  const timeScale = numberFromEnv(env.BENCH_TIME_SCALE, 1);
  if (opts.quick) {
    return {
      quick: true,
      profiles,
      timeScale,
      latencyMs,
      encryption,
      lingerMs,
      messageBytes: 460,
      stream: { appends: 40, perSecond: 20 },
      burst: { appends: 10, repeats: 1 },
      long: { messages: 200, earlyAppend: 20, messageBytes: 500, seedWave: 50 },
      devices: { devices: 3, appendsPerDevice: 20, perSecondPerDevice: 20 },
      load: { messages: 1_000, messageBytes: 200, seedWave: 250 },
      create: { repeats: 1 },
      devices10: { devices: 10, appendsPerDevice: 10, perSecondPerDevice: 2 },
      freshProcess: { messages: 200, appends: 3, seedWave: 50 },
      watch: { commits: 10, gapMs: 150, pollMs: 1_000 },
      timeoutMs: numberFromEnv(env.BENCH_TIMEOUT_MS, 5 * 60_000),
    };
  }
  return {
    quick: false,
    profiles,
    timeScale,
    latencyMs,
    encryption,
    lingerMs,
    messageBytes: 460,
    stream: { appends: 200, perSecond: 20 },
    burst: { appends: 50, repeats: 3 },
    long: { messages: 1_000, earlyAppend: 100, messageBytes: 500, seedWave: 50 },
    devices: { devices: 3, appendsPerDevice: 100, perSecondPerDevice: 20 },
    load: { messages: 10_000, messageBytes: 200, seedWave: 500 },
    create: { repeats: 5 },
    // 50 appends per device at 2/s: 10 devices give the conversation 20 appends/s, as `devices` does.
    devices10: { devices: 10, appendsPerDevice: 50, perSecondPerDevice: 2 },
    freshProcess: { messages: 1_000, appends: 5, seedWave: 50 },
    watch: { commits: 40, gapMs: 150, pollMs: 1_000 },
    timeoutMs: numberFromEnv(env.BENCH_TIMEOUT_MS, 15 * 60_000),
  };
}

function profilesFromEnv(raw: string | undefined): BenchProfile[] {
  if (raw === undefined || raw === '') return [...PROFILES];
  const items = raw.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = items.filter((x) => !(PROFILES as readonly string[]).includes(x));
  if (bad.length > 0) throw new Error(`BENCH_PROFILES: unknown ${bad.join(', ')} (expected ${PROFILES.join(', ')})`);
  return items as BenchProfile[];
}

function numberFromEnv(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a non-negative number, got "${raw}"`);
  return n;
}

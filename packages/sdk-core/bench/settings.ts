/**
 * Sizes of every scenario, in three tiers (recorded in results.json as `size`):
 *  - `full` (`--full`): the sizes issues 6 and 14 name everywhere. Both profiles take ≈ 25 min
 *    on a 2-core machine, mostly the baselines (a 200-append stream costs the baseline ≈ 60 s on
 *    devnode and ≈ 75 s on dart; each burst of 50 ≈ 15 / 27 s).
 *  - `standard` (the default, what `pnpm bench` runs): the issue sizes wherever a target is
 *    defined on them (stream 200, burst 50, long #100/#1,000, devices 3×100, load 10,000,
 *    fresh-process 1,000), with fewer repetitions where the baselines only cost time: the
 *    baselines' burst runs once (s5chat's, ~0.2 s and at the mercy of the shared CPU, is the
 *    median of 3), devices10 10×20 instead of 10×50 (same 20 appends/s into the conversation),
 *    create median of 3, watch 20 commits. Both profiles in ≈ 10–12 min.
 *  - `quick` (`--quick`): every count shrunk (smoke test, iteration); never written to
 *    bench/results.json unless --out is given.
 */
export type BenchProfile = 'devnode' | 'dart';
export const PROFILES: readonly BenchProfile[] = ['devnode', 'dart'];

export type BenchSize = 'quick' | 'standard' | 'full';

export interface BenchSettings {
  /** The size tier; `quick` is kept as a flag for readers of older results. */
  size: BenchSize;
  quick: boolean;
  /** Devnode profiles to run, one block of results each (BENCH_PROFILES, default devnode,dart). */
  profiles: BenchProfile[];
  /** The devnode's timeScale for the `dart` profile's real waits (≈2 s first registry read, 200 ms hit). */
  timeScale: number;
  /** Where the devnode runs (BENCH_DEVNODE: 'child' = its own process, default; 'in-process'). */
  devnodeProcess: 'child' | 'in-process';
  /** Latency the devnode injects on every request (BENCH_LATENCY_MS, default 50). */
  latencyMs: number;
  encryption: 'on' | 'off';
  /** s5chat's group-commit linger (BENCH_LINGER_MS); null = the SDK's default (no delay). */
  lingerMs: number | null;
  /** Content bytes of an ordinary chat message (the field's measured average is ~460 B). */
  messageBytes: number;
  stream: { appends: number; perSecond: number };
  /** `repeats` runs of s5chat, `baselineRepeats` of each baseline; the median run (by total time) is reported. */
  burst: { appends: number; repeats: number; baselineRepeats: number };
  long: {
    /** Length the conversation reaches at the last measured append (issue 6: 1,000). */
    messages: number;
    /** The earlier measured append (issue 6: #100). */
    earlyAppend: number;
    messageBytes: number;
    seedWave: number;
  };
  devices: { devices: number; appendsPerDevice: number; perSecondPerDevice: number };
  /** `coldRepeats` cold loads, each by a fresh instance; the median is reported. */
  load: { messages: number; messageBytes: number; seedWave: number; coldRepeats: number };
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

export function benchSettings(opts: { quick: boolean; full?: boolean; env?: NodeJS.ProcessEnv }): BenchSettings {
  const env = opts.env ?? process.env;
  const latencyMs = numberFromEnv(env.BENCH_LATENCY_MS, 50);
  const encryption = env.BENCH_ENCRYPTION === 'off' ? 'off' : 'on';
  const lingerMs = env.BENCH_LINGER_MS ? numberFromEnv(env.BENCH_LINGER_MS, 0) : null;
  const profiles = profilesFromEnv(env.BENCH_PROFILES);
  const timeScale = numberFromEnv(env.BENCH_TIME_SCALE, 1);
  const devnodeProcess = env.BENCH_DEVNODE === 'in-process' ? 'in-process' : 'child';
  if (env.BENCH_DEVNODE && !['in-process', 'child'].includes(env.BENCH_DEVNODE)) throw new Error(`BENCH_DEVNODE: expected child or in-process, got "${env.BENCH_DEVNODE}"`);
  if (opts.quick) {
    return {
      size: 'quick',
      quick: true,
      devnodeProcess,
      profiles,
      timeScale,
      latencyMs,
      encryption,
      lingerMs,
      messageBytes: 460,
      stream: { appends: 40, perSecond: 20 },
      burst: { appends: 10, repeats: 1, baselineRepeats: 1 },
      long: { messages: 200, earlyAppend: 20, messageBytes: 500, seedWave: 50 },
      devices: { devices: 3, appendsPerDevice: 20, perSecondPerDevice: 20 },
      load: { messages: 1_000, messageBytes: 200, seedWave: 250, coldRepeats: 3 },
      create: { repeats: 1 },
      devices10: { devices: 10, appendsPerDevice: 10, perSecondPerDevice: 2 },
      freshProcess: { messages: 200, appends: 3, seedWave: 50 },
      watch: { commits: 10, gapMs: 150, pollMs: 1_000 },
      timeoutMs: numberFromEnv(env.BENCH_TIMEOUT_MS, 5 * 60_000),
    };
  }
  const full = opts.full ?? false;
  return {
    size: full ? 'full' : 'standard',
    quick: false,
    devnodeProcess,
    profiles,
    timeScale,
    latencyMs,
    encryption,
    lingerMs,
    messageBytes: 460,
    stream: { appends: 200, perSecond: 20 },
    burst: { appends: 50, repeats: 3, baselineRepeats: full ? 3 : 1 },
    long: { messages: 1_000, earlyAppend: 100, messageBytes: 500, seedWave: 50 },
    devices: { devices: 3, appendsPerDevice: 100, perSecondPerDevice: 20 },
    load: { messages: 10_000, messageBytes: 200, seedWave: 500, coldRepeats: 3 },
    create: { repeats: full ? 5 : 3 },
    // At 2/s per device, 10 devices give the conversation 20 appends/s, as `devices` does.
    devices10: { devices: 10, appendsPerDevice: full ? 50 : 20, perSecondPerDevice: 2 },
    freshProcess: { messages: 1_000, appends: 5, seedWave: 50 },
    watch: { commits: full ? 40 : 20, gapMs: 150, pollMs: 1_000 },
    timeoutMs: numberFromEnv(env.BENCH_TIMEOUT_MS, (full ? 45 : 20) * 60_000),
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

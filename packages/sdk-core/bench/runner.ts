/**
 * Runs the scenarios once per devnode profile (`devnode`: permissive and fast; `dart`: the Dart
 * portal's registry timing, ≈2 s first read of a missing key, 200 ms of a stored one, × timeScale),
 * each against ONE devnode of that profile with injected latency: each scenario with s5chat and
 * with both baselines, one after the other in the same process, so all meet the same node, the
 * same latency and the same machine load. Used by run.ts (the CLI) and by the smoke test.
 */
import { generateSeedPhrase } from '@s5chat/s5';
import { startBenchNode } from './lib/bench-node';
import { openClient, SIDES, type ClientOptions, type Side } from './clients';
import { describeError } from './lib/fire';
import { describeMachine, type MachineInfo } from './lib/machine';
import { Progress } from './lib/progress';
import { SCENARIOS } from './scenarios';
import type { Comparison, Devnode, Metrics, Scenario, ScenarioContext } from './scenarios/types';
import type { BenchProfile, BenchSettings } from './settings';

export interface ScenarioResult extends Comparison {
  title: string;
  s5chat?: Metrics;
  baseline?: Metrics;
  baselineCached?: Metrics;
}

export interface ProfileResults {
  scenarios: Record<string, ScenarioResult>;
  durationMs: number;
}

export interface BenchResults {
  machine: MachineInfo;
  settings: BenchSettings & { sides: Side[]; devnode: string };
  profiles: Partial<Record<BenchProfile, ProfileResults>>;
  durationMs: number;
  /** Set when the run hit settings.timeoutMs and stopped early. */
  incomplete?: string;
}

export interface RunOptions {
  settings: BenchSettings;
  only?: readonly string[];
  sides?: readonly Side[];
  progress?: Progress;
  /** Called after every scenario with the results so far (run.ts writes them to disk). */
  onScenario?: (results: BenchResults) => void;
}

export async function runBench(opts: RunOptions): Promise<BenchResults> {
  const { settings } = opts;
  const sides = [...(opts.sides ?? SIDES)];
  const progress = opts.progress ?? new Progress(false);
  const scenarios = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name));
  const started = performance.now();
  const results: BenchResults = {
    machine: describeMachine(),
    settings: { ...settings, sides, devnode: `in-memory, 127.0.0.1, ${settings.devnodeProcess === 'child' ? 'own process' : 'in the bench process'}` },
    profiles: {},
    durationMs: 0,
  };

  try {
    for (const profile of settings.profiles) {
      const block: ProfileResults = { scenarios: {}, durationMs: 0 };
      results.profiles[profile] = block;
      const profileStarted = performance.now();
      progress.note(
        `[bench] ${profile} profile (timeScale ${profile === 'devnode' ? 1 : settings.timeScale}), ${settings.latencyMs} ms latency per request, ${settings.size} sizes`,
      );
      const node = await startBenchNode({
        profile,
        ...(profile === 'devnode' ? {} : { timeScale: settings.timeScale }),
        latencyMs: settings.latencyMs,
        mode: settings.devnodeProcess,
      });
      // One identity per profile; every scenario uses fresh conversation ids.
      const seedPhrase = generateSeedPhrase();
      const clientOptions = (deviceId: string, phrase: string): ClientOptions => ({
        portalUrl: node.url,
        seedPhrase: phrase,
        deviceId,
        encryption: settings.encryption,
        lingerMs: settings.lingerMs,
      });
      const ctx: ScenarioContext = {
        node,
        profile,
        settings,
        progress,
        async open(side, deviceId, extra) {
          const client = await openClient(side, { ...clientOptions(deviceId, seedPhrase), ...extra });
          await client.warmUp();
          return client;
        },
        async openAs(side, deviceId, phrase, warmUp = true, extra) {
          const client = await openClient(side, { ...clientOptions(deviceId, phrase), ...extra });
          if (warmUp) await client.warmUp();
          return client;
        },
      };
      try {
        for (const scenario of scenarios) {
          block.scenarios[scenario.name] = await runScenario(ctx, scenario, sides);
          block.durationMs = Math.round(performance.now() - profileStarted);
          results.durationMs = Math.round(performance.now() - started);
          opts.onScenario?.(results);
        }
      } finally {
        await stopQuietly(node);
      }
    }
  } finally {
    progress.end();
  }
  results.durationMs = Math.round(performance.now() - started);
  return results;
}

async function runScenario(ctx: ScenarioContext, scenario: Scenario, sides: Side[]): Promise<ScenarioResult> {
  const out: ScenarioResult = { title: scenario.title(ctx.settings), targets: [] };
  for (const side of sides) {
    try {
      out[side] = await scenario.run(ctx, side);
    } catch (err) {
      // A side that crashes is reported, not hidden; the other side and the other scenarios still run.
      out[side] = { error: describeError(err) };
      ctx.progress.note(`[bench] ${scenario.name}/${side} failed: ${describeError(err)}`);
    }
    // Let the node finish any request still in flight before the next side resets its counters.
    await new Promise((r) => setTimeout(r, ctx.settings.latencyMs * 2));
  }
  const comparison = scenario.compare(out);
  if (comparison.ratio && Object.keys(comparison.ratio).length > 0) out.ratio = comparison.ratio;
  out.targets = comparison.targets;
  return out;
}

async function stopQuietly(node: Devnode): Promise<void> {
  try {
    await node.stop();
  } catch {
    // The run's results matter more than a failed shutdown of a throwaway node.
  }
}

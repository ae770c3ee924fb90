/**
 * `pnpm bench` (root) → turbo → sdk-core's `bench` script → `tsx --tsconfig bench/tsconfig.json bench/run.ts`
 * (the tsconfig maps the workspace packages to their sources, so no stale build is measured).
 *
 *   pnpm bench [--quick | --full] [--only stream,burst] [--sides s5chat,baseline,baselineCached] [--out FILE]
 *   env: BENCH_LATENCY_MS (default 50), BENCH_LINGER_MS, BENCH_ENCRYPTION=off, BENCH_TIMEOUT_MS,
 *        BENCH_PROFILES (default devnode,dart), BENCH_TIME_SCALE (dart profile, default 1)
 *
 * Prints the table on stdout (progress on stderr) and writes `bench/results.json` at the repo
 * root (standard and full runs; a --quick run writes only when --out is given, so quick numbers never
 * replace the committed ones). Targets are reported, not asserted; the exit code is 1 only when
 * a scenario crashed or the run timed out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SIDES, type Side } from './clients';
import { Progress } from './lib/progress';
import { formatResults } from './report';
import { runBench, type BenchResults } from './runner';
import { SCENARIOS } from './scenarios';
import { benchSettings } from './settings';

const DEFAULT_OUT = fileURLToPath(new URL('../../../bench/results.json', import.meta.url));

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    sides: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log('usage: pnpm bench [--quick | --full] [--only stream,burst,long,devices,load,create,devices10,fresh-process,watch] [--sides s5chat,baseline,baselineCached] [--out FILE]');
  process.exit(0);
}

const only = list(values.only, SCENARIOS.map((s) => s.name), '--only');
const sides = list(values.sides, SIDES, '--sides') as Side[] | undefined;
if (values.quick && values.full) {
  console.error('--quick and --full exclude each other');
  process.exit(2);
}
const settings = benchSettings({ quick: values.quick ?? false, full: values.full ?? false });
const out = values.out ?? (settings.quick ? undefined : DEFAULT_OUT);
const progress = new Progress(true);

let latest: BenchResults | undefined;
const save = (results: BenchResults) => {
  if (!out) return;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
};

const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), settings.timeoutMs).unref());
const outcome = await Promise.race([
  runBench({ settings, only, sides, progress, onScenario: (r) => {
    latest = r;
    save(r);
  } }),
  timeout,
]);

let results: BenchResults;
if (outcome === 'timeout') {
  progress.end();
  if (!latest) {
    console.error(`[bench] timed out after ${settings.timeoutMs} ms before any scenario finished`);
    process.exit(1);
  }
  results = { ...latest, incomplete: `stopped after ${settings.timeoutMs} ms (BENCH_TIMEOUT_MS); missing scenarios were not run` };
} else {
  results = outcome;
}
save(results);

console.log(formatResults(results));
if (out) console.log(`\nwrote ${out}`);

const crashed = Object.values(results.profiles).flatMap((b) => Object.values(b?.scenarios ?? {})).some((r) => SIDES.some((side) => r[side]?.error !== undefined));
// Exit explicitly: a timed-out run leaves operations in flight that would keep the process alive.
process.exit(crashed || results.incomplete ? 1 : 0);

function list(raw: string | undefined, allowed: readonly string[], flag: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = items.filter((x) => !allowed.includes(x));
  if (bad.length > 0) {
    console.error(`${flag}: unknown ${bad.join(', ')} (expected ${allowed.join(', ')})`);
    process.exit(2);
  }
  return items;
}

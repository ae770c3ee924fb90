/** Renders results as the plain-text table `pnpm bench` prints (and docs/BENCHMARKS.md embeds). */
import { SIDES } from './clients';
import type { BenchResults, ScenarioResult } from './runner';

export function formatResults(results: BenchResults): string {
  const { machine: m, settings: s } = results;
  const lines: string[] = [];
  lines.push(
    `s5chat bench — ${m.date} — ${m.cpuModel} × ${m.cpus}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}` +
      (m.gitCommit ? `, commit ${m.gitCommit}` : ''),
  );
  lines.push(
    `devnode ${s.devnode}, ${s.latencyMs} ms latency per request, encryption ${s.encryption}, ` +
      `${s.messageBytes}-byte messages, s5chat lingerMs ${s.lingerMs ?? 'default'}, ${s.quick ? 'QUICK mode (reduced counts)' : `${s.size ?? 'full'} sizes`}; total ${(results.durationMs / 1000).toFixed(1)} s`,
  );
  if (results.incomplete) lines.push(`INCOMPLETE: ${results.incomplete}`);
  for (const [profile, block] of Object.entries(results.profiles)) {
    if (!block) continue;
    const scale = profile === 'devnode' ? '' : `, timeScale ${s.timeScale}`;
    lines.push('', `===== profile ${profile}${scale} — ${(block.durationMs / 1000).toFixed(1)} s =====`);
    for (const [name, r] of Object.entries(block.scenarios)) {
      lines.push('', ...formatScenario(name, r));
    }
  }
  return lines.join('\n');
}

function formatScenario(name: string, r: ScenarioResult): string[] {
  const sides = SIDES.filter((side) => r[side] !== undefined);
  const keys = unionKeys(...sides.map((side) => r[side]));
  const numeric = keys.filter((k) => sides.every((side) => typeof r[side]?.[k] !== 'string'));
  const textual = keys.filter((k) => !numeric.includes(k));
  const width = Math.max(24, ...numeric.map((k) => k.length));
  const header = sides.map((side) => (side === 'baselineCached' ? 'base+cache' : side).padStart(12)).join(' ');
  const out = [`${name} — ${r.title}`, `  ${'metric'.padEnd(width)} ${header}`];
  for (const k of numeric) {
    out.push(`  ${k.padEnd(width)} ${sides.map((side) => cell(r[side]?.[k]).padStart(12)).join(' ')}`);
  }
  for (const k of textual) {
    for (const side of sides) {
      const v = r[side]?.[k];
      if (typeof v === 'string') out.push(`  ${side} ${k}: ${v}`);
    }
  }
  if (r.ratio) {
    out.push(`  ratio: ${Object.entries(r.ratio).map(([k, v]) => `${k} ${v}`).join(' · ')}`);
  }
  for (const t of r.targets) {
    const verdict = t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED';
    out.push(`  target ${t.name}: ${cell(t.value)} → ${verdict}`);
  }
  return out;
}

function unionKeys(...ms: (Record<string, unknown> | undefined)[]): string[] {
  const keys: string[] = [];
  for (const m of ms) for (const k of Object.keys(m ?? {})) if (!keys.includes(k)) keys.push(k);
  return keys;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'number') return Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(v);
  return String(v);
}

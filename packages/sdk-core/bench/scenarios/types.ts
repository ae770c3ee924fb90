import type { BenchNode, DevnodeStats } from '../lib/bench-node';
import type { ChatClient, ClientOptions, PortalCounters, Side } from '../clients';
import type { Progress } from '../lib/progress';
import type { BenchProfile, BenchSettings } from '../settings';

export type Devnode = BenchNode;
export type { DevnodeStats };

/** Figures one side produced in one scenario: camelCase, unit in the name. */
export type Metrics = Record<string, number | string | boolean | null>;

export interface ScenarioContext {
  node: Devnode;
  profile: BenchProfile;
  settings: BenchSettings;
  progress: Progress;
  /** Opens a client on the bench identity, logged in (sign-up is never inside a measurement). */
  open(side: Side, deviceId: string, extra?: ClientExtras): Promise<ChatClient>;
  /** Opens a client on another identity; `warmUp: false` leaves login to the first request. */
  openAs(side: Side, deviceId: string, seedPhrase: string, warmUp?: boolean, extra?: ClientExtras): Promise<ChatClient>;
}

/** Per-client options a scenario may set (watch: the live transport / the reload interval; burst: listUpdate; devices: deviceLogs). */
export type ClientExtras = Pick<ClientOptions, 'live' | 'reloadMs' | 'listUpdate' | 'deviceLogs' | 'freshIdentity'>;

export interface Target {
  /** What is checked, e.g. "s5chat ackP99Ms ≤ 1000". */
  name: string;
  value: number | null;
  met: boolean | null;
}

export interface Comparison {
  /** Named ratios; "X" suffix = how many times better s5chat is (baseline cost ÷ s5chat cost). */
  ratio?: Record<string, number>;
  targets: Target[];
}

export interface Scenario {
  name: 'stream' | 'burst' | 'long' | 'devices' | 'load' | 'create' | 'devices10' | 'fresh-process' | 'watch';
  /** One line for the table and docs. */
  title(settings: BenchSettings): string;
  run(ctx: ScenarioContext, side: Side): Promise<Metrics>;
  /** Ratios against both baselines, and issue 6's targets. */
  compare(results: SideResults): Comparison;
}

export type SideResults = Partial<Record<Side, Metrics>>;

/**
 * The same ratio against each baseline: `name` against `baseline`, `${name}VsCached` against
 * `baselineCached`. `better` computes "how many times better s5chat is" from (s5chat, baseline).
 */
export function ratiosVsBaselines(
  r: SideResults,
  name: string,
  better: (s5chat: Metrics | undefined, baseline: Metrics | undefined) => number | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  const a = better(r.s5chat, r.baseline);
  const b = better(r.s5chat, r.baselineCached);
  if (a !== undefined) out[name] = a;
  if (b !== undefined) out[`${name}VsCached`] = b;
  return out;
}

/** Per-append network cost as the devnode counted it. */
export function perAppendCost(server: DevnodeStats, appends: number) {
  return {
    registryWritesPerAppend: Math.round((server.registry.sets / appends) * 1000) / 1000,
    registryReadsPerAppend: Math.round((server.registry.gets / appends) * 1000) / 1000,
    uploadsPerAppend: Math.round((server.uploads / appends) * 1000) / 1000,
    conflictsPerAppend: Math.round((server.registry.setsRejected / appends) * 1000) / 1000,
    requestsPerAppend: Math.round((server.requests.total / appends) * 100) / 100,
  };
}

/** Server-side counters (since reset) and client-side counter deltas around one measured phase. */
export interface Measured<T> {
  result: T;
  server: DevnodeStats;
  portal: PortalCounters;
  ms: number;
}

export async function measure<T>(ctx: ScenarioContext, clients: ChatClient[], fn: () => Promise<T>): Promise<Measured<T>> {
  const before = sumCounters(clients.map((c) => c.portalStats()));
  await ctx.node.resetStats();
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  const server = await ctx.node.stats();
  const after = sumCounters(clients.map((c) => c.portalStats()));
  return {
    result,
    server,
    ms,
    portal: {
      requests: after.requests - before.requests,
      bytesUploaded: after.bytesUploaded - before.bytesUploaded,
      bytesDownloaded: after.bytesDownloaded - before.bytesDownloaded,
      retries: after.retries - before.retries,
    },
  };
}

function sumCounters(list: PortalCounters[]): PortalCounters {
  return list.reduce(
    (a, b) => ({
      requests: a.requests + b.requests,
      bytesUploaded: a.bytesUploaded + b.bytesUploaded,
      bytesDownloaded: a.bytesDownloaded + b.bytesDownloaded,
      retries: a.retries + b.retries,
    }),
    { requests: 0, bytesUploaded: 0, bytesDownloaded: 0, retries: 0 },
  );
}

export function num(m: Metrics | undefined, key: string): number | null {
  const v = m?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function atMost(name: string, value: number | null, limit: number): Target {
  return { name: `${name} ≤ ${limit}`, value, met: value === null ? null : value <= limit };
}

export function atLeast(name: string, value: number | null, limit: number): Target {
  return { name: `${name} ≥ ${limit}`, value, met: value === null ? null : value >= limit };
}

/** a ÷ b when both are known and b > 0. */
export function ratioOf(a: number | null, b: number | null): number | undefined {
  if (a === null || b === null || b <= 0) return undefined;
  return Math.round((a / b) * 100) / 100;
}

/**
 * Jepsen's set-full check, simplified: which acknowledged messages are absent from the final
 * read made by a FRESH client (never the writer's own cache)?
 */
export async function finalRead(
  ctx: ScenarioContext,
  side: Side,
  conversationId: string,
  acknowledged: readonly string[],
  sent: readonly string[],
  failed: readonly string[] = [],
): Promise<{ lost: number; duplicates: number; unexpected: number; stored: number; failedButStored: number }> {
  const reader = await ctx.open(side, 'final-reader');
  try {
    const ids = await reader.loadMessageIds(conversationId);
    const present = new Set(ids);
    const sentSet = new Set(sent);
    return {
      lost: acknowledged.filter((id) => !present.has(id)).length,
      duplicates: ids.length - present.size,
      unexpected: [...present].filter((id) => !sentSet.has(id)).length,
      stored: present.size,
      // An append that reported failure may still have landed (Jepsen's "unknown"); not a loss.
      failedButStored: failed.filter((id) => present.has(id)).length,
    };
  } finally {
    await reader.close();
  }
}

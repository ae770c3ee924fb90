/**
 * Live numbers for the panel: what the harness measured around its own calls
 * (writes in flight, call-to-acknowledgement latency) plus what the SDK
 * reports (events and `metrics()`). Nothing here is a guess: every counter is
 * either an SDK event we received or a call we made.
 */
import type { Sdk } from '@s5chat/sdk-core';
import { Store } from './store';

export interface EventLine {
  at: number;
  type: string;
  text: string;
}

export interface Sample {
  t: number;
  v: number;
}

export interface Arrival {
  at: number;
  conversationId: string;
  revision: number;
  /** 'tab' = another tab of this browser, 'device' = another device (watch over the network). */
  source: string;
  messages: number;
}

/** Samples older than this fall off the charts. */
export const SERIES_WINDOW_MS = 120_000;

const trim = (series: Sample[], now: number) => series.filter((x) => now - x.t <= SERIES_WINDOW_MS).slice(-600);

export interface TelemetrySnapshot {
  /** Writes this page started whose promise has not settled. */
  inFlight: number;
  /** `storage.pendingWrites()`: writes queued inside the SDK. */
  queueDepth: number;
  retries: number;
  conflicts: number;
  merges: number;
  saved: number;
  failedWrites: number;
  lastLatencyMs: number | null;
  /** Last 60 call-to-ack latencies in ms, oldest first. */
  latencies: number[];
  /** Call-to-ack latency over time: `{ t: ms since epoch, v: ms }`, last 2 minutes. */
  latencySeries: Sample[];
  /** Queue depth (`pendingWrites()`) sampled every 250 ms while it changes, last 2 minutes. */
  queueSeries: Sample[];
  /** When the oldest write still in flight started (ms since epoch), or null. */
  oldestInFlightAt: number | null;
  /** Commits of other tabs/devices that reached this page (`remote` / `watch` events), newest last. */
  arrivals: Arrival[];
  events: EventLine[];
  /** The SDK's own `metrics()` totals, flattened to numbers for display. */
  sdkTotals: Record<string, number>;
}

const EMPTY: TelemetrySnapshot = {
  inFlight: 0,
  queueDepth: 0,
  retries: 0,
  conflicts: 0,
  merges: 0,
  saved: 0,
  failedWrites: 0,
  lastLatencyMs: null,
  latencies: [],
  latencySeries: [],
  queueSeries: [],
  oldestInFlightAt: null,
  arrivals: [],
  events: [],
  sdkTotals: {},
};

const SDK_EVENTS = ['retry', 'conflict', 'merged', 'saved', 'error', 'remote'] as const;

function summarize(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null) return String(payload ?? '');
  const p = payload as Record<string, unknown>;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'error' || k === 'cause') {
      const code = typeof v === 'object' && v !== null ? (v as { code?: unknown }).code : undefined;
      parts.push(`${k}=${typeof code === 'string' ? code : 'error'}`);
    } else if (typeof v === 'string') parts.push(`${k}=${k === 'conversationId' ? v.slice(0, 8) : v}`);
    else if (typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}=${v}`);
  }
  return parts.join(' ');
}

/** Flattens `metrics()` to `path → number` so the panel can show whatever the SDK reports. */
export function flattenNumbers(value: unknown, prefix = '', out: Record<string, number> = {}, depth = 0): Record<string, number> {
  if (depth > 3 || typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'conversations' || k === 'perConversation' || k === 'byConversation') continue; // per-conversation detail is too long for the panel
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else flattenNumbers(v, key, out, depth + 1);
  }
  return out;
}

export class Telemetry {
  readonly store = new Store<TelemetrySnapshot>(EMPTY);
  private unsubscribers: Array<() => void> = [];
  private poll: ReturnType<typeof setInterval> | undefined;
  /** Start times of the writes in flight, so the page can say how long the oldest has waited. */
  private readonly inFlightStarts = new Map<number, number>();
  private writeSeq = 0;

  /**
   * `onSdkError` receives every `error` event with what failed (`during`):
   * 'commit' failures also reject the caller's own promise, the others
   * (checkpoints of a streamed reply, index updates, compaction) have no
   * caller to tell, so the page must show them.
   */
  attach(sdk: Sdk, onSdkError: (e: unknown, during: string) => void): void {
    this.detach();
    this.store.set(EMPTY);
    for (const type of SDK_EVENTS) {
      const off = sdk.storage.on(type, (payload: unknown) => {
        this.store.set((s) => ({
          ...s,
          retries: s.retries + (type === 'retry' ? 1 : 0),
          conflicts: s.conflicts + (type === 'conflict' ? 1 : 0),
          merges: s.merges + (type === 'merged' ? 1 : 0),
          saved: s.saved + (type === 'saved' ? 1 : 0),
          events: [...s.events.slice(-49), { at: Date.now(), type, text: summarize(payload) }],
        }));
        if (type === 'remote') {
          const p = payload as { conversationId?: string; revision?: number };
          this.recordArrival({ conversationId: String(p.conversationId ?? ''), revision: Number(p.revision ?? 0), source: 'tab', messages: 0 });
        }
        if (type === 'error') {
          const p = payload as { error?: unknown; during?: unknown } | undefined;
          onSdkError(p && typeof p === 'object' && 'error' in p ? p.error : payload, String(p?.during ?? 'unknown'));
        }
      });
      this.unsubscribers.push(off);
    }
    const read = () => {
      let queueDepth = 0;
      let sdkTotals: Record<string, number> = {};
      try {
        queueDepth = sdk.storage.pendingWrites();
        const m = sdk.storage.metrics() as unknown;
        sdkTotals = flattenNumbers((m as { total?: unknown })?.total ?? m);
      } catch {
        // A closed SDK throws here; the next attach replaces this poller.
      }
      const s = this.store.get();
      const now = Date.now();
      const last = s.queueSeries[s.queueSeries.length - 1];
      // A sample when the depth changes, and one every 2 s while it stays, so the line is continuous.
      const sample = !last || last.v !== queueDepth || now - last.t >= 2000;
      if (sample || s.queueDepth !== queueDepth || JSON.stringify(s.sdkTotals) !== JSON.stringify(sdkTotals)) {
        this.store.set({ ...s, queueDepth, sdkTotals, queueSeries: sample ? trim([...s.queueSeries, { t: now, v: queueDepth }], now) : s.queueSeries });
      }
    };
    read();
    this.poll = setInterval(read, 250);
  }

  detach(): void {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  /**
   * Wraps one write: counts it in flight and records its call-to-ack latency.
   * `latency: false` for writes whose duration is the caller's own pacing
   * (a token stream), which would only distort the chart.
   */
  async track<T>(write: () => Promise<T>, opts: { latency?: boolean } = {}): Promise<T> {
    const started = performance.now();
    const startedAt = Date.now();
    const seq = ++this.writeSeq;
    this.inFlightStarts.set(seq, startedAt);
    const oldest = () => (this.inFlightStarts.size ? Math.min(...this.inFlightStarts.values()) : null);
    this.store.set((s) => ({ ...s, inFlight: s.inFlight + 1, oldestInFlightAt: oldest() }));
    const settle = () => {
      this.inFlightStarts.delete(seq);
      return oldest();
    };
    try {
      const result = await write();
      const ms = Math.round(performance.now() - started);
      const oldestInFlightAt = settle();
      if (opts.latency === false) {
        this.store.set((s) => ({ ...s, inFlight: s.inFlight - 1, oldestInFlightAt }));
        return result;
      }
      const now = Date.now();
      this.store.set((s) => ({
        ...s,
        inFlight: s.inFlight - 1,
        oldestInFlightAt,
        lastLatencyMs: ms,
        latencies: [...s.latencies.slice(-59), ms],
        latencySeries: trim([...s.latencySeries, { t: now, v: ms }], now),
      }));
      return result;
    } catch (e) {
      const oldestInFlightAt = settle();
      this.store.set((s) => ({ ...s, inFlight: s.inFlight - 1, oldestInFlightAt, failedWrites: s.failedWrites + 1 }));
      throw e;
    }
  }

  /** Another tab or device's commit reached this page. */
  recordArrival(a: Omit<Arrival, 'at'>): void {
    this.store.set((s) => {
      // One commit can be announced twice (the tab channel and watch): list it once.
      const same = s.arrivals.find((x) => x.conversationId === a.conversationId && x.revision === a.revision && x.source === a.source);
      if (same) {
        if (a.messages <= same.messages) return s;
        return { ...s, arrivals: s.arrivals.map((x) => (x === same ? { ...x, messages: a.messages } : x)) };
      }
      return { ...s, arrivals: [...s.arrivals.slice(-19), { ...a, at: Date.now() }] };
    });
  }
}

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
      if (s.queueDepth !== queueDepth || JSON.stringify(s.sdkTotals) !== JSON.stringify(sdkTotals)) {
        this.store.set({ ...s, queueDepth, sdkTotals });
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
    this.store.set((s) => ({ ...s, inFlight: s.inFlight + 1 }));
    try {
      const result = await write();
      const ms = Math.round(performance.now() - started);
      if (opts.latency === false) {
        this.store.set((s) => ({ ...s, inFlight: s.inFlight - 1 }));
        return result;
      }
      this.store.set((s) => ({
        ...s,
        inFlight: s.inFlight - 1,
        lastLatencyMs: ms,
        latencies: [...s.latencies.slice(-59), ms],
      }));
      return result;
    } catch (e) {
      this.store.set((s) => ({ ...s, inFlight: s.inFlight - 1, failedWrites: s.failedWrites + 1 }));
      throw e;
    }
  }
}

'use client';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { TimeSeriesChart } from './TimeSeriesChart';
import { useHarness } from './HarnessProvider';

/** What a healthy value looks like, next to each number (local devnode; a remote portal is slower). */
const GOOD = {
  queueDepth: 'good: 0 when idle; a few while streaming',
  inFlight: 'good: drains to 0 after each burst',
  retries: 'good: 0 with one writer; a few when tabs or devices race',
  conflicts: 'good: ≈ retries; each is re-read and re-applied, nothing lost',
  merges: 'a merge = another writer’s change kept, not an error',
  saved: 'commits that reached the node',
  failedWrites: 'good: 0 (every one is listed at the top with what to do)',
  latency: 'good: < 500 ms on the local devnode',
} as const;

const LATENCY_GOOD_MS = 500;
const QUEUE_GOOD = 5;

/** Live metrics with units and what good looks like, latency and queue depth over time, arrivals from other tabs/devices, and the SDK's event log. */
export function LivePanel() {
  const { telemetry } = useHarness();
  const t = useSyncExternalStore(telemetry.store.subscribe, telemetry.store.get, telemetry.store.get);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const rows: Array<[string, string, number | string, string, boolean]> = [
    ['queue depth', 'queue-depth', t.queueDepth, `writes · ${GOOD.queueDepth}`, t.queueDepth > QUEUE_GOOD],
    ['writes in flight', 'in-flight', t.inFlight, `writes · ${GOOD.inFlight}`, false],
    ['retries', 'retries', t.retries, `count · ${GOOD.retries}`, false],
    ['revision conflicts', 'conflicts', t.conflicts, `count · ${GOOD.conflicts}`, false],
    ['merges', 'merges', t.merges, `count · ${GOOD.merges}`, false],
    ['commits saved', 'saved', t.saved, `count · ${GOOD.saved}`, false],
    ['failed writes', 'failed-writes', t.failedWrites, `count · ${GOOD.failedWrites}`, t.failedWrites > 0],
    [
      'last write latency',
      'last-latency',
      t.lastLatencyMs === null ? '–' : `${t.lastLatencyMs} ms`,
      `call → durable · ${GOOD.latency}`,
      (t.lastLatencyMs ?? 0) > LATENCY_GOOD_MS,
    ],
  ];
  const totals = Object.entries(t.sdkTotals);
  return (
    <aside className="panel" data-testid="live-panel">
      <h3>Live</h3>
      <table className="metrics">
        <tbody>
          {rows.map(([label, id, value, hint, bad]) => (
            <tr key={id} className={bad ? 'bad' : ''}>
              <td>
                {label}
                <div className="hint">{hint}</div>
              </td>
              <td data-testid={`metric-${id}`}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <TimeSeriesChart title="write latency" unit="ms" series={t.latencySeries} goodMax={LATENCY_GOOD_MS} now={now} testId="latency-chart" />
      <TimeSeriesChart title="queue depth" unit="writes" series={t.queueSeries} goodMax={QUEUE_GOOD} step now={now} testId="queue-chart" />
      <h4>Arriving from other tabs / devices</h4>
      {t.arrivals.length === 0 ? (
        <p className="muted small" data-testid="arrivals-empty">
          Nothing yet. Open this conversation in another tab or browser with the same identity and write there.
        </p>
      ) : (
        <ol className="events" data-testid="arrivals">
          {t.arrivals
            .slice()
            .reverse()
            .map((a, i) => (
              <li key={`${a.at}-${i}`} data-testid="arrival" data-source={a.source}>
                <span className={`badge ${a.source === 'device' ? 'info' : 'muted'}`}>{a.source}</span> revision {a.revision}
                {a.messages ? ` · ${a.messages} message${a.messages === 1 ? '' : 's'}` : ''} ·{' '}
                <code>{a.conversationId.slice(0, 8)}</code> · {Math.max(0, Math.round((now - a.at) / 1000))} s ago
              </li>
            ))}
        </ol>
      )}
      {totals.length > 0 && (
        <details>
          <summary>SDK metrics() totals</summary>
          <table data-testid="sdk-metrics">
            <tbody>
              {totals.map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td>{Number.isInteger(v) ? v : v.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      <details>
        <summary>Event log ({t.events.length})</summary>
        <ol className="events" data-testid="event-log">
          {t.events
            .slice()
            .reverse()
            .map((e, i) => (
              <li key={`${e.at}-${i}`} data-type={e.type}>
                <code>{e.type}</code> {e.text}
              </li>
            ))}
        </ol>
      </details>
    </aside>
  );
}

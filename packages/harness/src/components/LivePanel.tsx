'use client';
import { useSyncExternalStore } from 'react';
import { LatencyChart } from './LatencyChart';
import { useHarness } from './HarnessProvider';

/** Queue depth, writes in flight, retries, conflicts, merges, last write latency, chart and event log. */
export function LivePanel() {
  const { telemetry } = useHarness();
  const t = useSyncExternalStore(telemetry.store.subscribe, telemetry.store.get, telemetry.store.get);
  const rows: Array<[string, string, number | string]> = [
    ['queue depth (SDK pending writes)', 'queue-depth', t.queueDepth],
    ['writes in flight (this page)', 'in-flight', t.inFlight],
    ['retries', 'retries', t.retries],
    ['revision conflicts', 'conflicts', t.conflicts],
    ['merges', 'merges', t.merges],
    ['saved events', 'saved', t.saved],
    ['failed writes', 'failed-writes', t.failedWrites],
    ['last write latency', 'last-latency', t.lastLatencyMs === null ? '–' : `${t.lastLatencyMs} ms`],
  ];
  const totals = Object.entries(t.sdkTotals);
  return (
    <aside className="panel" data-testid="live-panel">
      <h3>Live</h3>
      <table>
        <tbody>
          {rows.map(([label, id, value]) => (
            <tr key={id}>
              <td>{label}</td>
              <td data-testid={`metric-${id}`}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <LatencyChart values={t.latencies} />
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
      <h4>Events</h4>
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
    </aside>
  );
}

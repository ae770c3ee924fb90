'use client';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useHarness } from './HarnessProvider';

const TEXT = {
  checking: 'checking…',
  up: 'up',
  degraded: 'answering with errors',
  hung: 'not answering (hung)',
  down: 'down',
} as const;

const TONE = { checking: 'muted', up: 'ok', degraded: 'warn', hung: 'bad', down: 'bad' } as const;

/**
 * The portal's state as the harness server's probe sees it, plus how long the
 * oldest write of this page has been waiting: a down or hung portal is never
 * shown as "connected".
 */
export function HealthBadge() {
  const { health, telemetry } = useHarness();
  const t = useSyncExternalStore(telemetry.store.subscribe, telemetry.store.get, telemetry.store.get);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const waitingS = t.oldestInFlightAt ? Math.floor((now - t.oldestInFlightAt) / 1000) : 0;
  const sinceS = Math.max(0, Math.floor((now - health.since) / 1000));
  return (
    <span className="row inline" data-testid="portal-health" data-state={health.state}>
      <span className={`badge ${TONE[health.state]}`} data-testid="portal-health-badge" title={health.detail ?? ''}>
        <span className="dot" /> Portal {TEXT[health.state]}
        {health.state === 'up' && health.latencyMs !== undefined ? ` · ${health.latencyMs} ms` : ''}
        {health.state !== 'up' && health.state !== 'checking' && sinceS > 0 ? ` · ${sinceS} s` : ''}
      </span>
      {health.detail && health.state !== 'up' && (
        <span className="muted small" data-testid="portal-health-detail">
          {health.detail}
        </span>
      )}
      {waitingS >= 5 && (
        <span className="badge warn" data-testid="writes-waiting">
          oldest write waiting {waitingS} s
        </span>
      )}
    </span>
  );
}

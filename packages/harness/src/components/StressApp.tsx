'use client';
/**
 * The stress page: N simulated devices (separate SDK instances, same
 * identity) each fire M appends at one conversation, optionally with the
 * devnode injecting faults. The verdict is computed from what a fresh SDK
 * instance reads back from the node, not from what the devices believe.
 */
import { useEffect, useRef, useState } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { CHAOS_FAULTS, NO_FAULTS, getFaults, getStats, setFaults, type DevnodeStatsView, type FaultConfig } from '../lib/devnode-admin';
import { errorCode } from '../lib/errors';
import { computeVerdict, validateStressInputs, STRESS_LIMITS, type OpRecord, type Verdict } from '../lib/stress';
import { useHarness } from './HarnessProvider';
import { notifyFaultsChanged } from './FaultsBanner';

interface Progress {
  phase: 'idle' | 'starting' | 'running' | 'flushing' | 'verifying' | 'done' | 'failed';
  perDevice: Array<{ ok: number; fail: number; total: number }>;
  startedAt: number;
  elapsedMs: number;
}

const FAULT_FIELDS: Array<{ key: keyof FaultConfig; label: string; step: number; max: number }> = [
  { key: 'latencyMs', label: 'latency ms', step: 5, max: 2000 },
  { key: 'jitterMs', label: 'jitter ms', step: 5, max: 2000 },
  { key: 'errorRate', label: '5xx error rate', step: 0.01, max: 1 },
  { key: 'conflictRate', label: 'spurious conflict rate', step: 0.01, max: 1 },
  { key: 'staleReadRate', label: 'stale read rate', step: 0.01, max: 1 },
  { key: 'resetRate', label: 'connection reset rate', step: 0.01, max: 1 },
];

function isNoFaults(f: FaultConfig): boolean {
  return Object.values(f).every((v) => v === 0);
}

function faultDelta(before: DevnodeStatsView | null, after: DevnodeStatsView): Record<string, number> {
  const keys = ['errors', 'conflicts', 'staleReads', 'resets'] as const;
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (after.faults?.[k] ?? 0) - (before?.faults?.[k] ?? 0);
  return out;
}

/** One line saying why: what failed or was lost, or that every write is stored once. */
function verdictSummary(v: Verdict): string {
  if (v.outcome === 'empty') return 'no write was sent, so there is nothing to judge';
  if (v.outcome === 'pass') return `${v.lost} lost, ${v.duplicates} duplicates: all ${v.sent} writes acknowledged and stored once`;
  const parts: string[] = [];
  if (v.failed) parts.push(`${v.failed} of ${v.sent} writes failed (${Math.round((v.failed / v.sent) * 100)} %)`);
  if (v.lost) parts.push(`${v.lost} acknowledged writes lost`);
  if (v.duplicates) parts.push(`${v.duplicates} duplicates`);
  if (v.unexpected) parts.push(`${v.unexpected} never-sent messages stored`);
  return parts.join(', ');
}

export function StressApp() {
  const { config, connection, createDeviceSdk, reportError } = useHarness();
  const [form, setForm] = useState({ devices: '3', appends: '20', intervalMs: '0' });
  const checked = validateStressInputs(form);
  const { devices, appends, intervalMs } = checked.ok ? checked.value : { devices: 0, appends: 0, intervalMs: 0 };
  const issueFor = (field: keyof typeof form) => (checked.ok ? undefined : checked.issues.find((i) => i.field === field)?.message);
  const [faults, setFaultForm] = useState<FaultConfig>(NO_FAULTS);
  const [appliedFaults, setAppliedFaults] = useState<FaultConfig | null>(null);
  const [clearBeforeVerify, setClearBeforeVerify] = useState(true);
  const [likeTabs, setLikeTabs] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [verdict, setVerdict] = useState<(Verdict & { timeMs: number; conversationId: string }) | null>(null);
  const [stats, setStats] = useState<DevnodeStatsView | null>(null);
  const [runFaults, setRunFaults] = useState<Record<string, number> | null>(null);
  /** Whether the devnode had faults configured when the run started (to explain a run none hit). */
  const [faultsOn, setFaultsOn] = useState(false);
  const running = useRef(false);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  useEffect(() => () => clearInterval(timer.current), []);

  const portal = config?.portalUrl ?? '';
  const adminAvailable = !!config?.devnode;

  async function applyFaults(next: FaultConfig) {
    try {
      await setFaults(portal, next);
      setAppliedFaults(next);
      setFaultForm(next);
      notifyFaultsChanged();
    } catch (e) {
      reportError(e, 'set devnode faults');
    }
  }

  async function refreshStats() {
    try {
      setStats(await getStats(portal));
    } catch (e) {
      reportError(e, 'read devnode stats');
    }
  }

  async function run() {
    if (running.current || !connection || !checked.ok) return;
    running.current = true;
    setVerdict(null);
    const runTag = `stress-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const conversationId = runTag;
    const ops: OpRecord[] = [];
    const sdks: Sdk[] = [];
    const startedAt = performance.now();
    const perDevice = Array.from({ length: devices }, () => ({ ok: 0, fail: 0, total: appends }));
    const publish = (phase: Progress['phase']) =>
      setProgress({ phase, perDevice: perDevice.map((d) => ({ ...d })), startedAt, elapsedMs: Math.round(performance.now() - startedAt) });
    publish('starting');
    setRunFaults(null);
    const statsBefore = adminAvailable ? await getStats(portal).catch(() => null) : null;
    const configured = adminAvailable ? await getFaults(portal).catch(() => null) : null;
    setFaultsOn(!!configured && !isNoFaults(configured));
    clearInterval(timer.current);
    timer.current = setInterval(() => setProgress((p) => (p ? { ...p, elapsedMs: Math.round(performance.now() - startedAt) } : p)), 200);
    try {
      for (let d = 0; d < devices; d++) sdks.push(await createDeviceSdk(`${runTag}-device-${d + 1}`, { coordinateLikeTabs: likeTabs, outbox: false }));
      publish('running');
      const writes: Promise<void>[] = [];
      for (let d = 0; d < devices; d++) {
        const sdk = sdks[d] as Sdk;
        const device = async () => {
          const mine: Promise<void>[] = [];
          for (let m = 0; m < appends; m++) {
            const op: OpRecord = { id: `${runTag}-d${d + 1}-m${String(m).padStart(4, '0')}`, device: d + 1, state: 'invoke' };
            ops.push(op);
            mine.push(
              sdk.storage
                .appendMessage(conversationId, { id: op.id, role: 'user', content: `device ${d + 1} message ${m}` })
                .then(
                  () => {
                    op.state = 'ok';
                    (perDevice[d] as { ok: number }).ok++;
                  },
                  (e: unknown) => {
                    op.state = 'fail';
                    op.errorCode = errorCode(e);
                    (perDevice[d] as { fail: number }).fail++;
                    reportError(e, `stress append (device ${d + 1})`);
                  },
                )
                .finally(() => publish('running')),
            );
            if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
          }
          await Promise.all(mine);
        };
        writes.push(device());
      }
      await Promise.all(writes);
      publish('flushing');
      await Promise.all(sdks.map((s) => s.storage.flush().catch((e: unknown) => reportError(e, 'flush device'))));
      const timeMs = Math.round(performance.now() - startedAt);
      await Promise.all(sdks.splice(0).map((s) => s.close().catch((e: unknown) => reportError(e, 'close device'))));

      publish('verifying');
      if (adminAvailable) {
        const after = await getStats(portal).catch(() => null);
        setStats(after);
        if (after) setRunFaults(faultDelta(statsBefore, after));
      }
      // Stale-read faults make a single read legitimately old; the verdict is
      // about what the node stores, so it reads with the faults off and puts
      // them back afterwards.
      // What the node injects now (this page or anyone else may have set it).
      const current = adminAvailable && clearBeforeVerify ? await getFaults(portal).catch(() => null) : null;
      const restore = current && !isNoFaults(current) ? current : null;
      if (restore) await setFaults(portal, NO_FAULTS);
      const verifier = await createDeviceSdk(`${runTag}-verifier`, { outbox: false });
      try {
        const conv = await verifier.storage.loadConversation(conversationId);
        const storedIds = conv ? conv.messages.map((m) => m.id) : [];
        setVerdict({ ...computeVerdict(ops, storedIds), timeMs, conversationId });
      } finally {
        await verifier.close().catch(() => undefined);
        if (restore) await setFaults(portal, restore).catch((e: unknown) => reportError(e, 'restore devnode faults'));
        notifyFaultsChanged();
      }
      publish('done');
    } catch (e) {
      reportError(e, 'stress run');
      publish('failed');
    } finally {
      clearInterval(timer.current);
      await Promise.all(sdks.map((s) => s.close().catch(() => undefined)));
      running.current = false;
    }
  }

  if (!connection) {
    return (
      <section className="card" data-testid="connect-first">
        <h2>Stress</h2>
        <p>Connect an identity above first; every simulated device uses it.</p>
      </section>
    );
  }

  const done = progress?.perDevice.reduce((n, d) => n + d.ok + d.fail, 0) ?? 0;
  const total = devices * appends;
  const busy = !!progress && !['idle', 'done', 'failed'].includes(progress.phase);
  return (
    <div className="stress">
      <section className="card">
        <h2>Devices × appends</h2>
        <div className="row">
          {(
            [
              ['devices', 'devices', 'stress-devices'],
              ['appends', 'appends per device', 'stress-appends'],
              ['intervalMs', 'ms between appends (0 = all at once)', 'stress-interval'],
            ] as const
          ).map(([field, label, testId]) => (
            <label key={field} className={issueFor(field) ? 'invalid' : ''}>
              {label}{' '}
              <input
                type="number"
                min={STRESS_LIMITS[field].min}
                max={STRESS_LIMITS[field].max}
                step={1}
                value={form[field]}
                onChange={(e) => setForm({ ...form, [field]: e.target.value })}
                aria-invalid={!!issueFor(field)}
                data-testid={testId}
              />
            </label>
          ))}
          <label title="Off: the devices race at the registry like separate machines. On: they take turns through Web Locks like tabs of one browser.">
            <input type="checkbox" checked={likeTabs} onChange={(e) => setLikeTabs(e.target.checked)} data-testid="stress-like-tabs" /> coordinate like tabs (Web Locks)
          </label>
          <button className="primary" onClick={() => void run()} disabled={busy || !checked.ok} data-testid="stress-run">
            Run {checked.ok ? `${devices} × ${appends}` : ''}
          </button>
        </div>
        {!checked.ok && (
          <ul className="field-issues" data-testid="stress-input-issues">
            {checked.issues.map((i) => (
              <li key={i.field} data-field={i.field}>
                {i.field}: {i.message}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card">
        <h2>Devnode faults</h2>
        {!adminAvailable && <p className="muted">The portal is not the local devnode; fault knobs are off.</p>}
        <div className="row">
          {FAULT_FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}{' '}
              <input
                type="number"
                min={0}
                max={f.max}
                step={f.step}
                value={faults[f.key]}
                disabled={!adminAvailable}
                onChange={(e) => setFaultForm({ ...faults, [f.key]: Number(e.target.value) })}
                data-testid={`fault-${f.key}`}
              />
            </label>
          ))}
        </div>
        <div className="row">
          <button disabled={!adminAvailable || busy} onClick={() => void applyFaults(faults)} data-testid="faults-apply">Apply faults</button>
          <button disabled={!adminAvailable || busy} onClick={() => void applyFaults(CHAOS_FAULTS)} data-testid="faults-chaos">Chaos preset</button>
          <button disabled={!adminAvailable || busy} onClick={() => void applyFaults(NO_FAULTS)} data-testid="faults-clear">Clear faults</button>
          <label>
            <input type="checkbox" checked={clearBeforeVerify} onChange={(e) => setClearBeforeVerify(e.target.checked)} /> clear faults before the verdict read
          </label>
          <span data-testid="faults-applied">
            {appliedFaults ? `applied: ${JSON.stringify(appliedFaults)}` : 'no faults applied from this page'}
          </span>
        </div>
      </section>

      {progress && (
        <section className="card" data-testid="stress-progress" data-phase={progress.phase}>
          <h2>
            Progress: <span data-testid="stress-phase">{progress.phase}</span> · {done}/{total} settled ·{' '}
            {(progress.elapsedMs / 1000).toFixed(1)} s
          </h2>
          <progress max={total} value={done} style={{ width: '100%' }} />
          <table>
            <tbody>
              {progress.perDevice.map((d, i) => (
                <tr key={i} data-testid="stress-device-row">
                  <td>device {i + 1}</td>
                  <td>{d.ok} acknowledged</td>
                  <td>{d.fail} failed</td>
                  <td>{d.total - d.ok - d.fail} pending</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {runFaults && (
        <section className="card" data-testid="stress-run-faults">
          <h3>Faults the devnode injected during this run</h3>
          <span data-testid="stress-run-faults-total">{Object.values(runFaults).reduce((a, b) => a + b, 0)}</span> in total:{' '}
          {Object.entries(runFaults).map(([k, v]) => `${k} ${v}`).join(', ')}
          {faultsOn && Object.values(runFaults).every((v) => v === 0) && (
            <p className="muted small" data-testid="stress-run-faults-none">
              Faults are on, but none hit this run: group commit folds unpaced appends into few requests. Run again, or
              set an interval between appends for more separate writes.
            </p>
          )}
        </section>
      )}

      {verdict && (
        <section
          className={`card verdict ${verdict.outcome}`}
          data-testid="stress-verdict"
          data-ok={verdict.ok ? 'true' : 'false'}
          data-outcome={verdict.outcome}
        >
          <h2>
            Verdict:{' '}
            <span className={`badge ${verdict.outcome === 'pass' ? 'ok' : verdict.outcome === 'fail' ? 'bad' : 'muted'}`} data-testid="stress-verdict-text">
              {verdict.outcome === 'pass' ? 'PASS' : verdict.outcome === 'fail' ? 'FAIL' : 'NOTHING SENT'}
            </span>{' '}
            <span data-testid="stress-verdict-summary">{verdictSummary(verdict)}</span>
          </h2>
          <table>
            <tbody>
              <tr><td>conversation</td><td><code>{verdict.conversationId}</code></td></tr>
              <tr><td>sent</td><td data-testid="stress-sent">{verdict.sent}</td></tr>
              <tr><td>acknowledged</td><td data-testid="stress-acked">{verdict.acknowledged}</td></tr>
              <tr><td>acknowledged and present (fresh instance)</td><td data-testid="stress-present">{verdict.present}</td></tr>
              <tr><td>lost (acknowledged, missing)</td><td data-testid="stress-lost">{verdict.lost}</td></tr>
              <tr><td>duplicates</td><td data-testid="stress-duplicates">{verdict.duplicates}</td></tr>
              <tr><td>never sent but stored</td><td data-testid="stress-unexpected">{verdict.unexpected}</td></tr>
              <tr><td>failed (typed error shown above)</td><td data-testid="stress-failed">{verdict.failed}</td></tr>
              <tr><td>failed but stored anyway</td><td>{verdict.failedButPresent}</td></tr>
              <tr><td>messages stored</td><td data-testid="stress-stored">{verdict.totalMessagesStored}</td></tr>
              <tr><td>time (first append → all flushed)</td><td data-testid="stress-time">{verdict.timeMs} ms</td></tr>
            </tbody>
          </table>
          {verdict.lostIds.length > 0 && <p>Lost ids: {verdict.lostIds.join(', ')}</p>}
        </section>
      )}

      {adminAvailable && (
        <section className="card">
          <h2>
            Devnode stats <button onClick={() => void refreshStats()} data-testid="stats-refresh">Refresh</button>
          </h2>
          {stats && (
            <table data-testid="devnode-stats">
              <tbody>
                <tr><td>requests</td><td>{stats.requests?.total ?? '–'}</td></tr>
                <tr><td>registry sets accepted / rejected</td><td>{stats.registry?.setsAccepted ?? '–'} / {stats.registry?.setsRejected ?? '–'}</td></tr>
                <tr><td>injected 5xx errors</td><td data-testid="stats-fault-errors">{stats.faults?.errors ?? 0}</td></tr>
                <tr><td>injected conflicts</td><td data-testid="stats-fault-conflicts">{stats.faults?.conflicts ?? 0}</td></tr>
                <tr><td>injected stale reads</td><td data-testid="stats-fault-stale">{stats.faults?.staleReads ?? 0}</td></tr>
                <tr><td>injected resets</td><td data-testid="stats-fault-resets">{stats.faults?.resets ?? 0}</td></tr>
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}

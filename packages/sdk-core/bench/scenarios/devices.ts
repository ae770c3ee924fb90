import { fireAtRate } from '../lib/fire';
import { conversationId, makeMessages } from '../lib/messages';
import { percentile, round } from '../lib/percentile';
import type { ChatClient, Side } from '../clients';
import type { BenchSettings } from '../settings';
import {
  atMost,
  finalRead,
  measure,
  num,
  perAppendCost,
  ratioOf,
  ratiosVsBaselines,
  type ClientExtras,
  type Metrics,
  type Scenario,
  type ScenarioContext,
} from './types';

/**
 * 4. devices — several SDK instances with the SAME identity (one per device) append to one
 * conversation at the same time. `lost` = acknowledged but absent from the final read made by a
 * fresh instance (Jepsen's set-full check). Conflicts per append = registry sets the node
 * rejected with "Revision number too low", divided by appends.
 */
export const devices: Scenario = devicesScenario('devices', (s) => s.devices);

/** 4b. devices10 — the same with ten devices (issue 14: the harness saw 100 refused). */
export const devices10: Scenario = devicesScenario('devices10', (s) => s.devices10);

function devicesScenario(name: 'devices' | 'devices10', pick: (s: BenchSettings) => BenchSettings['devices']): Scenario {
  return {
  name,
  title: (s) =>
    `${pick(s).devices} instances, same identity, × ${pick(s).appendsPerDevice} appends each at ${pick(s).perSecondPerDevice}/s into one conversation`,
  async run(ctx, side) {
    const main = await oneRun(ctx, side, name, pick, {});
    if (side !== 's5chat') return main;
    // The same run with one append log per device (storage.deviceLogs, off by default): devices
    // no longer contend for one registry key; see docs/CONCURRENCY.md "Device logs".
    const logs = await oneRun(ctx, side, name, pick, { deviceLogs: true }, 'logs');
    return {
      ...main,
      logsAckP50Ms: logs.ackP50Ms ?? null,
      logsAckP99Ms: logs.ackP99Ms ?? null,
      logsFailed: logs.failed ?? null,
      logsLost: logs.lost ?? null,
      logsDuplicates: logs.duplicates ?? null,
      logsConflictsPerAppend: logs.conflictsPerAppend ?? null,
      logsRequestsPerAppend: logs.requestsPerAppend ?? null,
    };
  },
  compare(r) {
    const s5chat = r.s5chat;
    return {
      ratio: ratiosVsBaselines(r, 'ackP99X', (s, b) => ratioOf(num(b, 'ackP99Ms'), num(s, 'ackP99Ms'))),
      targets: [
        atMost('s5chat lost', num(s5chat, 'lost'), 0),
        atMost('s5chat duplicates', num(s5chat, 'duplicates'), 0),
        atMost('s5chat failed', num(s5chat, 'failed'), 0),
        ...(name === 'devices' ? [atMost('s5chat ackP99Ms', num(s5chat, 'ackP99Ms'), 1000)] : []),
        atMost('s5chat lost (deviceLogs)', num(s5chat, 'logsLost'), 0),
        atMost('s5chat failed (deviceLogs)', num(s5chat, 'logsFailed'), 0),
        ...(name === 'devices' ? [atMost('s5chat ackP99Ms (deviceLogs)', num(s5chat, 'logsAckP99Ms'), 1000)] : []),
      ],
    };
  },
  };
}

async function oneRun(
  ctx: ScenarioContext,
  side: Side,
  name: 'devices' | 'devices10',
  pick: (s: BenchSettings) => BenchSettings['devices'],
  extra: ClientExtras,
  tag = '',
): Promise<Metrics> {
  const { devices: n, appendsPerDevice, perSecondPerDevice } = pick(ctx.settings);
  // Opened one after the other: concurrent first logins of one identity race on a Dart portal
  // (AUTH_FAILED), and sign-up is never part of the measurement anyway.
  const clients: ChatClient[] = [];
  for (let d = 0; d < n; d++) clients.push(await ctx.open(side, `device-${d + 1}`, extra));
  try {
    const conv = conversationId(tag ? `${name}-${tag}` : name, side);
    const perDevice = clients.map((_, d) => makeMessages(`dev${d + 1}`, 0, appendsPerDevice, ctx.settings.messageBytes));
    const total = n * appendsPerDevice;
    let settled = 0;
    ctx.progress.phase(`${name}/${side}${tag ? ` (${tag})` : ''}: ${n} × ${appendsPerDevice} appends`);
    const m = await measure(ctx, clients, () =>
      Promise.all(
        clients.map((client, d) =>
          fireAtRate(appendsPerDevice, perSecondPerDevice, (i) => client.append(conv, perDevice[d]![i]!), () =>
            ctx.progress.tick(++settled, total),
          ),
        ),
      ),
    );
    const acks = m.result.flatMap((r) => r.ackMs.filter((x): x is number => x !== null));
    const acknowledged = perDevice.flatMap((msgs, d) => msgs.filter((_, i) => m.result[d]!.ackMs[i] !== null).map((x) => x.id));
    const failedIds = perDevice.flatMap((msgs, d) => msgs.filter((_, i) => m.result[d]!.ackMs[i] === null).map((x) => x.id));
    const errors = m.result.flatMap((r) => r.errors);
    ctx.progress.phase(`${name}/${side}: final read from a fresh instance`);
    const check = await finalRead(ctx, side, conv, acknowledged, perDevice.flat().map((x) => x.id), failedIds);
    return {
      devices: n,
      appends: total,
      acknowledged: acknowledged.length,
      failed: errors.length,
      failedButStored: check.failedButStored,
      lost: check.lost,
      lostPercentOfAcknowledged: round(acknowledged.length ? (check.lost / acknowledged.length) * 100 : 0, 1),
      duplicates: check.duplicates,
      unexpected: check.unexpected,
      ackP50Ms: round(percentile(acks, 50), 0),
      ackP99Ms: round(percentile(acks, 99), 0),
      ...perAppendCost(m.server, total),
      clientConflicts: clients.reduce((a, c) => a + c.conflicts(), 0),
      bytesPerAppend: round(m.portal.bytesUploaded / total, 0),
      totalMs: round(m.ms, 0),
      firstError: errors[0] ?? null,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

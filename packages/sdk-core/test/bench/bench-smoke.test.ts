/**
 * Smoke test of the `pnpm bench` machinery: every scenario runs end to end, at tiny size, against
 * a real devnode over real sockets, for both s5chat and the baseline, and produces the documented
 * results shape. No timing is asserted (benchmarks report timings; tests assert behaviour) — only
 * structure, completeness and s5chat's "nothing acknowledged is lost".
 */
import { describe, expect, it } from 'vitest';
import { formatResults } from '../../bench/report';
import { runBench } from '../../bench/runner';
import { benchSettings, type BenchSettings } from '../../bench/settings';

function tinySettings(): BenchSettings {
  const quick = benchSettings({ quick: true, env: {} });
  return {
    ...quick,
    latencyMs: 2,
    stream: { appends: 8, perSecond: 100 },
    burst: { appends: 6, repeats: 2, baselineRepeats: 1 },
    long: { messages: 12, earlyAppend: 4, messageBytes: 500, seedWave: 4 },
    devices: { devices: 2, appendsPerDevice: 6, perSecondPerDevice: 100 },
    load: { messages: 40, messageBytes: 100, seedWave: 20, coldRepeats: 2 },
    create: { repeats: 1 },
    devices10: { devices: 3, appendsPerDevice: 2, perSecondPerDevice: 100 },
    freshProcess: { messages: 12, appends: 2, seedWave: 6 },
    watch: { commits: 3, gapMs: 20, pollMs: 100 },
    timeoutMs: 60_000,
  };
}

const ALL = ['stream', 'burst', 'long', 'devices', 'load', 'create', 'devices10', 'fresh-process', 'watch'];

describe('pnpm bench machinery', () => {
  it('runs the new scenarios on the dart profile (scaled waits) in the documented per-profile shape', async () => {
    // The devnode in the bench's own process here; the other test runs it as a child process (the default).
    const settings = { ...tinySettings(), profiles: ['dart' as const], timeScale: 0.01, devnodeProcess: 'in-process' as const };
    const results = await runBench({ settings, only: ['create'] });
    const json = JSON.parse(JSON.stringify(results)) as typeof results;
    expect(Object.keys(json.profiles)).toEqual(['dart']);
    const { create } = json.profiles.dart!.scenarios;
    for (const [name, r] of Object.entries(json.profiles.dart!.scenarios)) {
      for (const side of ['s5chat', 'baseline', 'baselineCached'] as const) expect(r[side]?.error, `${name}/${side}`).toBeUndefined();
    }
    expect(create!.s5chat).toMatchObject({ repeats: 1 });
    expect(create!.s5chat!.newConversationFirstAppendMs as number).toBeGreaterThan(0);
    // A fresh conversation id is written without a registry read (the list was just read); the baseline reads first.
    expect(create!.s5chat!.newConversationRegistryReads).toBe(0);
    expect(create!.baseline!.newConversationRegistryReads as number).toBeGreaterThan(0);
    expect(formatResults(json)).toContain('===== profile dart');
  }, 60_000);

  it('runs every scenario for s5chat and both baselines and reports the documented shape', async () => {
    const results = await runBench({ settings: { ...tinySettings(), profiles: ['devnode'] } });
    // The JSON written to bench/results.json must survive serialisation unchanged.
    const json = JSON.parse(JSON.stringify(results)) as typeof results;

    expect(Object.keys(json.profiles)).toEqual(['devnode']);
    const scenarios = json.profiles.devnode!.scenarios;
    expect(Object.keys(scenarios)).toEqual(ALL);
    expect(json.machine.cpus).toBeGreaterThan(0);
    expect(json.settings.latencyMs).toBe(2);
    expect(json.settings.devnode).toContain('own process');
    for (const [name, r] of Object.entries(scenarios)) {
      expect(r.s5chat?.error, `${name}/s5chat crashed`).toBeUndefined();
      expect(r.baseline?.error, `${name}/baseline crashed`).toBeUndefined();
      expect(r.baselineCached?.error, `${name}/baselineCached crashed`).toBeUndefined();
      expect(r.targets.length, `${name} has targets`).toBeGreaterThan(0);
    }

    const { stream, burst, long, devices, load, devices10, 'fresh-process': fresh } = scenarios;
    expect(devices10!.s5chat).toMatchObject({ devices: 3, appends: 6, lost: 0, duplicates: 0, unexpected: 0 });
    expect(fresh!.s5chat).toMatchObject({ messages: 12, appends: 2 });
    expect(fresh!.s5chat!.firstAppendRequests as number).toBeGreaterThan(0);
    expect(fresh!.baseline!.firstAppendRequests as number).toBeGreaterThan(0);
    expect(stream!.s5chat).toMatchObject({ appends: 8, acknowledged: 8, failed: 0, lost: 0, duplicates: 0 });
    expect(stream!.baseline).toMatchObject({ appends: 8, acknowledged: 8, lost: 0 });
    expect(stream!.baselineCached).toMatchObject({ appends: 8, acknowledged: 8, lost: 0 });
    // The baseline's five round trips per append (get, download, upload, get, set; the very first
    // append has nothing to download); the cached variant answers reads from memory on one device.
    expect(stream!.baseline!.requestsPerAppend as number).toBeGreaterThan(4);
    expect(stream!.baseline!.requestsPerAppend as number).toBeLessThanOrEqual(5);
    expect(stream!.baselineCached!.requestsPerAppend as number).toBeLessThan(3);
    for (const key of ['ackP50Ms', 'ackP99Ms', 'registryWritesPerAppend', 'bytesPerAppend', 'totalMs']) {
      expect(typeof stream!.s5chat![key], key).toBe('number');
    }
    // One registry write per append at most for s5chat; the baseline writes at least once per append.
    expect(stream!.s5chat!.registryWritesPerAppend as number).toBeLessThanOrEqual(1);
    expect(stream!.baseline!.registryWritesPerAppend as number).toBeGreaterThanOrEqual(1);

    expect(burst!.s5chat).toMatchObject({ appends: 6, acknowledged: 6, runs: 2, failed: 0, lost: 0 });
    expect(burst!.baseline).toMatchObject({ appends: 6, runs: 1 });
    expect(typeof burst!.ratio?.throughputX).toBe('number');
    expect(typeof burst!.ratio?.throughputXVsCached).toBe('number');

    expect(long!.s5chat).toMatchObject({ appendEarlyIndex: 4, appendLastIndex: 12 });
    expect(long!.s5chat!.appendLastBytes as number).toBeGreaterThan(0);
    // The baseline re-uploads the whole conversation: its last append uploads more than its early one.
    expect(long!.baseline!.appendLastBytes as number).toBeGreaterThan(long!.baseline!.appendEarlyBytes as number);

    // Racing devices may exhaust their retries (a typed failure, reported); what must hold is that
    // every append is accounted for and nothing acknowledged is lost, duplicated or invented.
    expect(devices!.s5chat).toMatchObject({ devices: 2, appends: 12, lost: 0, duplicates: 0, unexpected: 0 });
    expect((devices!.s5chat!.acknowledged as number) + (devices!.s5chat!.failed as number)).toBe(12);
    // The deviceLogs variant ran too, and kept every acknowledged append.
    expect(devices!.s5chat).toMatchObject({ logsLost: 0, logsDuplicates: 0 });
    expect(devices10!.s5chat).toMatchObject({ logsLost: 0, logsDuplicates: 0 });
    expect(typeof devices!.baseline!.lost).toBe('number');

    expect(load!.s5chat).toMatchObject({ messages: 40, coldMessagesLoaded: 40, warmMessagesLoaded: 40, coldRuns: 2 });
    expect(load!.baseline).toMatchObject({ messages: 40, coldMessagesLoaded: 40 });
    expect(load!.s5chat!.coldRequests as number).toBeGreaterThan(0);

    // watch: B sees every commit of A over P2P and over polling; the baselines' B reloads (no push).
    const { watch } = scenarios;
    expect(watch!.s5chat).toMatchObject({ commits: 3, p2pDelivered: 3, pollDelivered: 3 });
    expect(typeof watch!.s5chat!.p2pEventP99Ms).toBe('number');
    expect(typeof watch!.s5chat!.pollEventP99Ms).toBe('number');
    expect(watch!.baseline).toMatchObject({ commits: 3, pollDelivered: 3, p2pDelivered: null });
    expect(typeof watch!.baselineCached!.pollDelivered).toBe('number');

    const table = formatResults(json);
    for (const name of ALL) expect(table).toContain(`${name} — `);
    expect(table).toContain('target ');
  }, 120_000);
});

#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { startDevnode } from './node.js';
import { PROFILE_NAMES, type ProfileName } from './profiles/profile.js';
import type { FaultInput } from './types.js';

const rate = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number in 0..1`);
  return n;
};
const nonNegative = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

const collect = (value: string, previous: string[]) => [...previous, value];
const scale = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('--time-scale must be a number >= 0');
  return n;
};

const program = new Command()
  .name('s5chat-devnode')
  .description('A local S5 node + portal on loopback: persistent, with fault injection.')
  .addOption(new Option('--profile <name>', 'portal implementation to reproduce').choices(PROFILE_NAMES).default('devnode'))
  .option('--invite <token>', 'invite-gated registration: accept this registration token (repeatable)', collect, [] as string[])
  .addOption(new Option('--time-scale <n>', "multiply the portal's real waits (60 s blob miss, 2 s first registry read)").argParser(scale))
  .addOption(new Option('--port <n>', 'TCP port (0 = random)').default(5050).argParser(nonNegative('--port')))
  .option('--host <addr>', 'bind address', '127.0.0.1')
  .option('--data <dir>', 'data directory (omit for in-memory)')
  .addOption(new Option('--latency-ms <n>', 'added latency per request').argParser(nonNegative('--latency-ms')))
  .addOption(new Option('--jitter-ms <n>', 'extra random latency in [0, n)').argParser(nonNegative('--jitter-ms')))
  .addOption(new Option('--error-rate <r>', 'share of requests answered 503').argParser(rate('--error-rate')))
  .addOption(new Option('--conflict-rate <r>', 'share of registry sets spuriously rejected').argParser(rate('--conflict-rate')))
  .addOption(new Option('--stale-read-rate <r>', 'share of registry reads served the previous revision').argParser(rate('--stale-read-rate')))
  .addOption(new Option('--reset-rate <r>', 'share of requests whose connection is reset').argParser(rate('--reset-rate')))
  .addOption(new Option('--seed <n>', 'seed for fault decisions (replayable runs)').argParser(nonNegative('--seed')))
  .option('--cors-origin <origin>', 'Access-Control-Allow-Origin value', '*')
  .addOption(new Option('--max-blob-bytes <n>', 'largest accepted upload').argParser(nonNegative('--max-blob-bytes')))
  .option('--no-verify-blobs', 'serve blobs without checking their hash (simulates a malicious portal)')
  .option('--quiet', 'no request logs')
  .parse();

const o = program.opts<{
  profile: ProfileName;
  invite: string[];
  timeScale?: number;
  port: number;
  host: string;
  data?: string;
  latencyMs?: number;
  jitterMs?: number;
  errorRate?: number;
  conflictRate?: number;
  staleReadRate?: number;
  resetRate?: number;
  seed?: number;
  corsOrigin: string;
  maxBlobBytes?: number;
  verifyBlobs: boolean;
  quiet?: boolean;
}>();

const faults: FaultInput = {};
if (o.latencyMs !== undefined) faults.latencyMs = o.latencyMs;
if (o.jitterMs !== undefined) faults.jitterMs = o.jitterMs;
if (o.errorRate !== undefined) faults.errorRate = o.errorRate;
if (o.conflictRate !== undefined) faults.conflictRate = o.conflictRate;
if (o.staleReadRate !== undefined) faults.staleReadRate = o.staleReadRate;
if (o.resetRate !== undefined) faults.resetRate = o.resetRate;
if (o.seed !== undefined) faults.seed = o.seed;

// Nothing may precede the JSON line on stdout: start-up log lines go to stderr until it is printed.
let started = false;
const logLine = (line: string) => (started ? process.stdout : process.stderr).write(line + '\n');

// A function rather than top-level await: the CJS build cannot contain top-level await.
async function main(): Promise<void> {
  let node: Awaited<ReturnType<typeof startDevnode>>;
  try {
    node = await startDevnode({
      profile: o.profile,
      ...(o.invite.length > 0 && { registration: 'invite' as const, inviteTokens: o.invite }),
      ...(o.timeScale !== undefined && { timeScale: o.timeScale }),
      port: o.port,
      host: o.host,
      ...(o.data !== undefined && { dataDir: o.data }),
      ...(o.maxBlobBytes !== undefined && { maxBlobBytes: o.maxBlobBytes }),
      faults,
      corsOrigin: o.corsOrigin,
      verifyBlobsOnRead: o.verifyBlobs,
      log: o.quiet ? false : logLine,
    });
  } catch (err) {
    process.stderr.write(`s5chat-devnode: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  // The first line is machine-readable: scripts wait for it and parse it.
  process.stdout.write(JSON.stringify({ portalUrl: node.url, p2pUrl: node.p2pUrl, profile: node.profile }) + '\n');
  started = true;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, stopping\n`);
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();

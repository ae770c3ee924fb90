/**
 * Child process for the crash test: one SDK instance appending a stream of messages to one
 * conversation, reporting every outcome as a JSON line on stdout:
 *   {"event":"ack","id":...,"revision":n}        the SDK acknowledged the append (must survive)
 *   {"event":"error","id":...,"code":...}         the append failed (code is null if untyped)
 * After the stream it re-attempts every failed id once (same id, same content: appends are
 * idempotent by id, so a write that did land must not be duplicated), then flushes and reports
 *   {"event":"done","pendingWrites":n}
 * It never restarts anything by hand: recovery after the node comes back is the SDK's job.
 */
import { createSdk } from '../../../src/index';
import { crashMessage } from './crash-messages';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function codeOf(err: unknown): string | null {
  return err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : null;
}

async function main(): Promise<void> {
  const portalUrl = env('S5CHAT_RELIABILITY_PORTAL');
  const seedPhrase = env('S5CHAT_RELIABILITY_SEED_PHRASE');
  const conversationId = env('S5CHAT_RELIABILITY_CONVERSATION');
  const count = Number(env('S5CHAT_RELIABILITY_COUNT'));
  /** Index of the first message (a second writer may resume where a killed one stopped). */
  const firstIndex = Number(process.env.S5CHAT_RELIABILITY_FIRST_INDEX ?? '0');
  const concurrency = Number(process.env.S5CHAT_RELIABILITY_CONCURRENCY ?? '4');
  const paceMs = Number(process.env.S5CHAT_RELIABILITY_PACE_MS ?? '10');
  const errorPauseMs = Number(process.env.S5CHAT_RELIABILITY_ERROR_PAUSE_MS ?? '1000');

  // outbox: false — this child measures the fail-fast path: an ack must mean durable now.
  const sdk = await createSdk({ portalUrl, seedPhrase, deviceId: 'crash-writer', outbox: false });
  sdk.storage.on('error', (e: unknown) => emit({ event: 'sdk-error-event', code: codeOf((e as { error?: unknown })?.error ?? e) }));
  const failed: number[] = [];

  const appendOne = async (i: number, phase: 'stream' | 'retry') => {
    const m = crashMessage(i);
    try {
      const r = await sdk.storage.appendMessage(conversationId, m);
      emit({ event: 'ack', phase, id: m.id, revision: r.revision, at: Date.now() });
    } catch (err) {
      if (phase === 'stream') failed.push(i);
      emit({ event: 'error', phase, id: m.id, code: codeOf(err), name: err instanceof Error ? err.name : typeof err, at: Date.now() });
      // Like a UI showing "offline": slow down instead of burning the whole stream in milliseconds.
      await sleep(errorPauseMs);
    }
  };

  // A paced stream with a few appends in flight, like a UI streaming while the user types.
  const inFlight = new Set<Promise<void>>();
  for (let i = firstIndex; i < firstIndex + count; i++) {
    const p = appendOne(i, 'stream').finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    await sleep(paceMs);
  }
  await Promise.all(inFlight);

  // What an app would do with the failures it was told about: try them again, once.
  for (const i of failed) await appendOne(i, 'retry');

  await sdk.storage.flush();
  emit({ event: 'done', pendingWrites: sdk.storage.pendingWrites(), failed: failed.length });
  await sdk.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  emit({ event: 'fatal', code: codeOf(err), message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});

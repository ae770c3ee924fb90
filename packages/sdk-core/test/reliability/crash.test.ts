// Crash test: the devnode and a writer run as separate OS processes. While the writer streams
// appends, the devnode is killed with SIGKILL (twice) and restarted on the same data dir and port.
// Every append acknowledged before (or after) a kill must be present afterwards, exactly once; the
// writer's SDK must recover on its own (later appends succeed; failures are typed; flush drains).
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk } from '../../src/index';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, explain, History, summarize } from './checker';
import { crashMessage } from './children/crash-messages';
import { rawRequest, registerRawAccount } from './raw-portal';
import { bundleForChild, childEnv, killHard, spawnJsonLines, tempDir, type JsonLineChild } from './support';

const here = fileURLToPath(new URL('.', import.meta.url));
const COUNT = 200;
/** Kill the node after this many more acknowledged stream appends (counted from the previous restart). */
const KILL_AFTER_STREAM_ACKS = [25, 25];
/**
 * How long the node stays dead each time: a short outage the client's retries can ride out, and one
 * longer than its whole retry budget (4 retries, ≤ 1.5 s of backoff) so in-flight appends must
 * surface typed errors.
 */
const OUTAGE_MS = [300, 2500];
const CONVERSATION = 'crash-stream';

let work: Awaited<ReturnType<typeof tempDir>>;
let runnerJs: string;
const children: JsonLineChild[] = [];

beforeAll(async () => {
  work = await tempDir('crash');
  runnerJs = await bundleForChild(join(here, 'children', 'devnode-runner.ts'), work.path);
}, 60_000);
afterAll(async () => {
  for (const c of children) await killHard(c);
  await work?.remove();
});

let writerJsPromise: Promise<string> | undefined;
/** The writer is bundled on first use (it imports the whole SDK, so the standalone test does not need it). */
const writerBundle = () => (writerJsPromise ??= bundleForChild(join(here, 'children', 'crash-writer.ts'), work.path));

function spawnWriter(script: string, url: string, seedPhrase: string, conversationId: string, count: number, firstIndex = 0): JsonLineChild {
  const writer = spawnJsonLines(
    script,
    childEnv({
      S5CHAT_RELIABILITY_PORTAL: url,
      S5CHAT_RELIABILITY_SEED_PHRASE: seedPhrase,
      S5CHAT_RELIABILITY_CONVERSATION: conversationId,
      S5CHAT_RELIABILITY_COUNT: String(count),
      S5CHAT_RELIABILITY_FIRST_INDEX: String(firstIndex),
    }),
  );
  children.push(writer);
  return writer;
}

async function startNodeProcess(dataDir: string, port: number): Promise<{ proc: JsonLineChild; url: string }> {
  const proc = spawnJsonLines(runnerJs, childEnv({ S5CHAT_RELIABILITY_DATA_DIR: dataDir, S5CHAT_RELIABILITY_PORT: String(port) }));
  children.push(proc);
  const line = await proc.waitFor((l) => l.event === 'listening', 30_000, 'the devnode to listen');
  return { proc, url: String(line.url) };
}

const acks = (c: JsonLineChild) => c.lines.filter((l) => l.event === 'ack');
const streamAcks = (c: JsonLineChild) => c.lines.filter((l) => l.event === 'ack' && l.phase === 'stream').length;

describe('crash: kill -9 of the devnode in the middle of a write stream', () => {
  it('keeps every acknowledged write and the SDK recovers without manual steps', async () => {
    const writerJs = await writerBundle();
    const dataDir = join(work.path, 'node');
    let node = await startNodeProcess(dataDir, 0);
    const url = node.url;
    const port = Number(new URL(url).port);
    const seedPhrase = generateSeedPhrase();

    const writer = spawnWriter(writerJs, url, seedPhrase, CONVERSATION, COUNT);

    const ackedBeforeKill: string[][] = [];
    const restartLineIndex: number[] = [];
    const restartedAt: number[] = [];
    let streamAcksAtRestart = 0;
    for (const [k, more] of KILL_AFTER_STREAM_ACKS.entries()) {
      // Kill while the stream itself is running (not during the writer's final retry pass).
      const threshold = streamAcksAtRestart + more;
      await writer.waitFor(() => streamAcks(writer) >= threshold, 90_000, `${threshold} acknowledged stream appends`);
      ackedBeforeKill.push(acks(writer).map((l) => String(l.id)));
      await killHard(node.proc); // SIGKILL: no shutdown hook, no flush
      await new Promise((r) => setTimeout(r, OUTAGE_MS[k])); // the writer meets a dead port for a while
      node = await startNodeProcess(dataDir, port);
      restartedAt.push(Date.now());
      restartLineIndex.push(writer.lines.length);
      streamAcksAtRestart = streamAcks(writer);
    }

    const done = await writer.waitFor((l) => l.event === 'done' || l.event === 'fatal', 150_000, 'the writer to finish');
    const exit = await writer.exited;

    // Rebuild the history from the writer's report: every id it tried, and how each attempt ended.
    const history = new History();
    const attempts = writer.lines.filter((l) => l.event === 'ack' || l.event === 'error');
    for (const line of attempts) {
      const i = Number(String(line.id).slice('crash-'.length));
      const op = history.invoke('writer', String(line.phase), CONVERSATION, [crashMessage(i)]);
      if (line.event === 'ack') op.ok();
      else op.unknown(typeof line.code === 'string' ? line.code : `UNTYPED:${String(line.name)}`);
    }

    const reader = await createSdk({ portalUrl: url, seedPhrase, deviceId: 'crash-verifier' });
    const loaded = await reader.storage.loadConversation(CONVERSATION);
    await reader.close();
    const present = new Set(loaded?.messages.map((m) => m.id) ?? []);
    const result = check({
      history: history.ops(),
      final: new Map([[CONVERSATION, (loaded?.messages ?? []).map((m) => ({ id: m.id, role: m.role, content: m.content, timestamp: m.timestamp }))]]),
    });
    const ackedAfterLastRestart = writer.lines.slice(restartLineIndex.at(-1)).filter((l) => l.event === 'ack').length;
    const errorCodes = attempts.filter((l) => l.event === 'error').map((l) => l.code);
    console.log(
      summarize('crash', result, {
        kills: KILL_AFTER_STREAM_ACKS.length,
        // How long after each restart the same SDK instance got its next ack (the client's circuit
        // breaker, not the node, decides most of this).
        recoveryMs: restartedAt
          .map((t) => {
            const next = writer.lines.find((l) => l.event === 'ack' && Number(l.at) >= t);
            return next ? String(Number(next.at) - t) : 'never';
          })
          .join('/'),
        ackedBeforeKills: ackedBeforeKill.map((a) => a.length).join('/'),
        ackedAfterLastRestart,
        streamErrors: writer.lines.filter((l) => l.event === 'error' && l.phase === 'stream').length,
        retriedOk: writer.lines.filter((l) => l.event === 'ack' && l.phase === 'retry').length,
        pendingWritesAtEnd: String(done.pendingWrites),
        errorCodes: JSON.stringify(result.errorCodes),
      }),
    );

    expect(done.event, `writer: ${JSON.stringify(done)}\n${writer.stderr().slice(-2000)}`).toBe('done');
    expect(exit.code).toBe(0);
    for (const [k, ids] of ackedBeforeKill.entries()) {
      expect(ids.filter((id) => !present.has(id)), `acknowledged before kill #${k + 1} but missing`).toEqual([]);
    }
    expect(result.valid, explain(result)).toBe(true);
    expect(errorCodes.filter((c) => typeof c !== 'string'), 'every failure carries a typed code').toEqual([]);
    expect(ackedAfterLastRestart, 'the same SDK instance writes again after the node came back').toBeGreaterThan(0);
    expect(done.pendingWrites).toBe(0);
  }, 240_000);

  it('kill -9 of the WRITER mid-stream: what it acknowledged survives, a new process resumes without duplicates', async () => {
    const writerJs = await writerBundle();
    const { url } = await startNodeProcess(join(work.path, 'node-writer-kill'), 0);
    const seedPhrase = generateSeedPhrase();
    const conversationId = 'crash-writer-killed';
    const first = spawnWriter(writerJs, url, seedPhrase, conversationId, 200);
    await first.waitFor(() => acks(first).length >= 40, 90_000, '40 acknowledged appends');
    await killHard(first); // the client dies with writes in flight
    const ackedByFirst = acks(first).map((l) => String(l.id));
    // A new device process takes over from a point that overlaps what the first may have had in flight.
    const resumeFrom = Math.max(0, ackedByFirst.length - 10);
    const second = spawnWriter(writerJs, url, seedPhrase, conversationId, 60, resumeFrom);
    const done = await second.waitFor((l) => l.event === 'done' || l.event === 'fatal', 120_000, 'the second writer to finish');
    expect(done.event, second.stderr().slice(-2000)).toBe('done');

    const reader = await createSdk({ portalUrl: url, seedPhrase, deviceId: 'writer-kill-verifier' });
    const loaded = await reader.storage.loadConversation(conversationId);
    await reader.close();
    const ids = loaded?.messages.map((m) => m.id) ?? [];
    const present = new Set(ids);
    const ackedBySecond = acks(second).map((l) => String(l.id));
    console.log(
      `[crash] writer killed after ${ackedByFirst.length} acks; second writer acked ${ackedBySecond.length}; present=${present.size} duplicates=${ids.length - present.size}`,
    );
    expect(ackedByFirst.filter((id) => !present.has(id)), 'acknowledged by the killed writer but missing').toEqual([]);
    expect(ackedBySecond.filter((id) => !present.has(id)), 'acknowledged by the second writer but missing').toEqual([]);
    expect(ids.length, 'no id twice').toBe(present.size);
    expect([...present].every((id) => /^crash-\d{5}$/.test(id)), 'nothing that was never sent').toBe(true);
  }, 180_000);

  it('a standalone devnode process survives malformed requests (no crash on bad multipart)', async () => {
    const { proc, url } = await startNodeProcess(join(work.path, 'node-malformed'), 0);
    const token = await registerRawAccount(url);
    const boundary = 'b';
    const part = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="file"\r\n\r\nsome bytes that will be cut\r\n--${boundary}--\r\n`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const bodies = [part.slice(0, part.length - 20), part.slice(0, 30), `--${boundary}\r\n`, 'no boundary at all'];
    for (const [i, body] of bodies.entries()) {
      const reply = await rawRequest(`${url}/s5/upload`, { method: 'POST', headers, body }).catch(async (err: unknown) => {
        await new Promise((r) => setTimeout(r, 200));
        throw new Error(
          `malformed upload #${i} (${JSON.stringify(body.slice(0, 40))}...): ${String(err)}; devnode exit code ${proc.child.exitCode}, stderr:\n${proc.stderr().slice(-1500)}`,
        );
      });
      expect(reply.status, reply.body).toBeGreaterThanOrEqual(400);
      expect(reply.status, reply.body).toBeLessThan(500);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(proc.child.exitCode, `the devnode process died: ${proc.stderr().slice(-1500)}`).toBeNull();
    const stats = await rawRequest(`${url}/admin/stats`);
    expect(stats.status).toBe(200);
  }, 60_000);
});

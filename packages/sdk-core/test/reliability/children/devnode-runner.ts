/**
 * Child process for the crash test: runs a persistent devnode on a data dir and port given in
 * the environment, prints one JSON line `{"event":"listening","url":...}` and then serves until
 * killed. The crash test kills it with SIGKILL (no shutdown hooks run) and starts it again on
 * the same data dir and port.
 */
import { startDevnode } from '@s5chat/devnode';

async function main(): Promise<void> {
  const dataDir = process.env.S5CHAT_RELIABILITY_DATA_DIR;
  if (!dataDir) throw new Error('S5CHAT_RELIABILITY_DATA_DIR is required');
  const port = Number(process.env.S5CHAT_RELIABILITY_PORT ?? '0');
  const node = await startDevnode({ port, host: '127.0.0.1', dataDir });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: node.url, pid: process.pid })}\n`);
  const stop = () => {
    void node.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`devnode-runner failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

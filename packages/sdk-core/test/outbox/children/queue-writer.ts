/**
 * Child process: with the portal down, append S5CHAT_OUTBOX_COUNT messages (each must come back
 * 'queued' into the file outbox at S5CHAT_OUTBOX_DIR), print one JSON line per result, and exit
 * without closing anything — as a process that is killed or a tab that is closed would.
 */
import { createSdk } from '../../../src/index';

const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
  const env = process.env;
  const sdk = await createSdk({
    portalUrl: env.S5CHAT_OUTBOX_PORTAL!,
    seedPhrase: env.S5CHAT_OUTBOX_SEED!,
    deviceId: 'queue-writer',
    outboxDir: env.S5CHAT_OUTBOX_DIR!,
    timeoutMs: 1000,
  });
  const count = Number(env.S5CHAT_OUTBOX_COUNT ?? '2');
  for (let i = 0; i < count; i++) {
    const r = await sdk.storage.appendMessage(env.S5CHAT_OUTBOX_CONVERSATION!, { id: `child-${i}`, role: 'user', content: `queued by the child ${i}` });
    emit({ event: 'result', id: `child-${i}`, status: r.status, operationId: r.operationId });
  }
  emit({ event: 'done', pending: sdk.storage.pendingWrites() });
  process.exit(0);
}

main().catch((err: unknown) => {
  emit({ event: 'fatal', code: (err as { code?: string })?.code, message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});

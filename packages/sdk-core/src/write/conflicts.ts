/**
 * What a writer does when a registry set fails. A lost race ("Revision number too low") is an
 * answer, not a fault: report it, then wait and let the caller re-read and re-apply, or give up
 * with RevisionConflictError after the last attempt. Anything else is rethrown (transient faults
 * are the s5 client's job and are never retried again here: layered retries multiply).
 */
import { isS5ChatError } from '@s5chat/s5';
import { RevisionConflictError } from '../errors.js';
import type { StorageEvents } from '../events.js';
import type { WriteDeps } from './types.js';

export interface ConflictContext {
  conversationId: string;
  attempt: number;
  maxAttempts: number;
  delays: number[];
  seenRevision: number;
  /** Runs during the wait (cache warming only: failures are ignored). */
  warm?: () => Promise<unknown>;
}

export async function onRegistrySetError(deps: WriteDeps, error: unknown, c: ConflictContext): Promise<void> {
  if (!(isS5ChatError(error) && error.code === 'REVISION_TOO_LOW')) throw error;
  const { conversationId, attempt, maxAttempts, delays, seenRevision } = c;
  const currentRevision = (error as { currentRevision?: number }).currentRevision;
  deps.metrics.add(conversationId, 'conflicts');
  const conflict: StorageEvents['conflict'] = { conversationId, attempt, attemptedRevision: seenRevision + 1, kind: 'revision' };
  if (currentRevision !== undefined) conflict.currentRevision = currentRevision;
  deps.events.emit('conflict', conflict);
  if (attempt >= maxAttempts) {
    if (attempt > 1) deps.metrics.add(conversationId, 'writesRetried');
    const args: ConstructorParameters<typeof RevisionConflictError>[0] = {
      conversationId,
      attempts: attempt,
      lastSeenRevision: currentRevision ?? seenRevision,
      cause: error,
    };
    if (currentRevision !== undefined) args.currentRevision = currentRevision;
    throw new RevisionConflictError(args);
  }
  const delayMs = delays[attempt - 1] ?? 0;
  deps.metrics.add(conversationId, 'retries');
  deps.events.emit('retry', { conversationId, attempt, delayMs, lastSeenRevision: currentRevision ?? seenRevision });
  await Promise.all([deps.sleep(delayMs), c.warm?.().catch(() => undefined)]);
}

import { describe, expect, it } from 'vitest';
import { ConversationDeletedError, MemoryBackend, RevisionConflictError, ValidationError, type ErrorEvent } from '../../src/index.js';
import { manager, msg } from '../support/helpers.js';

describe('an operation refused inside a write still reaches the error event', () => {
  it('fire-and-forget writes that are refused per operation emit error (not only a rejected promise)', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { limits: { maxMessages: 2 }, compaction: { enabled: false } });
    const errors: ErrorEvent[] = [];
    sm.on('error', (e) => errors.push(e));
    await sm.appendMessages('full', [msg('a'), msg('b')]);
    // fire-and-forget: nobody awaits these promises (the app only listens to 'error')
    void sm.appendMessage('full', msg('c')).catch(() => undefined);
    await sm.appendMessage('d', msg('x'));
    await sm.deleteConversation('d');
    void sm.updateMetadata('d', { status: 'ended' }).catch(() => undefined); // a session ending after a delete
    void sm.saveConversation({ id: 'full' }, { onConflict: 'fail', expectedRevision: 99 }).catch(() => undefined);
    await sm.flush();
    expect(errors.map((e) => [e.conversationId, e.during, e.operations])).toEqual([
      ['full', 'commit', 1],
      ['d', 'commit', 1],
      ['full', 'commit', 1],
    ]);
    expect(errors[0]!.error).toBeInstanceOf(ValidationError);
    expect(errors[1]!.error).toBeInstanceOf(ConversationDeletedError);
    expect(errors[2]!.error).toBeInstanceOf(RevisionConflictError);
    expect(sm.pendingWrites()).toBe(0);
  });
});

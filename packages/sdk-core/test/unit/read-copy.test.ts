/**
 * read/copy.ts: what loadConversation hands out is a copy equal to a JSON round trip of the stored
 * messages (undefined-valued keys dropped, metadata deep), sharing nothing with the input.
 */
import { describe, expect, it } from 'vitest';
import { copyMessage, copyMessages } from '../../src/read/copy';
import type { Message } from '../../src/schemas';

describe('copyMessages', () => {
  const stored: Message[] = [
    { id: 'a', role: 'user', content: 'hi', timestamp: 1 },
    { id: 'b', role: 'assistant', content: 'yo', timestamp: 2, updatedAt: 3, metadata: { tags: ['x', { deep: 1 }], n: null } },
    { id: 'c', role: 'system', content: '', timestamp: 4, updatedAt: undefined, metadata: undefined } as unknown as Message,
  ];

  it('equals a JSON round trip', () => {
    expect(copyMessages(stored)).toStrictEqual(JSON.parse(JSON.stringify(stored)));
    expect(Object.keys(copyMessage(stored[2]!))).toEqual(['id', 'role', 'content', 'timestamp']);
  });

  it('shares no object with the stored messages', () => {
    const copy = copyMessages(stored);
    copy[1]!.content = 'changed';
    (copy[1]!.metadata!.tags as unknown[]).push('y');
    ((copy[1]!.metadata!.tags as unknown[])[1] as { deep: number }).deep = 2;
    expect(stored[1]).toStrictEqual({ id: 'b', role: 'assistant', content: 'yo', timestamp: 2, updatedAt: 3, metadata: { tags: ['x', { deep: 1 }], n: null } });
  });
});

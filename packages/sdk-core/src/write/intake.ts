/**
 * Public write calls → validated operations. Everything a caller passes is checked here (schemas.ts)
 * before anything is queued: invalid input is a ValidationError and nothing is written.
 */
import { ValidationError } from '@s5chat/s5';
import type { Op } from '../ops.js';
import {
  SaveOptionsSchema,
  assertConversationId,
  normalizeConversation,
  normalizeMessage,
  normalizeMetadataPatch,
  parseOrThrow,
  type ConversationInput,
  type Limits,
  type Message,
  type MessageInput,
  type SaveOptions,
} from '../schemas.js';

export class WriteIntake {
  constructor(
    readonly limits: Limits,
    readonly now: () => number,
  ) {}

  append(conversationId: string, message: MessageInput): { id: string; op: Op & { kind: 'append' }; message: Message } {
    const id = assertConversationId(conversationId);
    const m = normalizeMessage(message, this.limits, this.now());
    return { id, op: { kind: 'append', messages: [m], at: this.now() }, message: m };
  }

  appendMany(conversationId: string, messages: MessageInput[]): { id: string; op: Op & { kind: 'append' }; messages: Message[] } {
    const id = assertConversationId(conversationId);
    if (!Array.isArray(messages)) throw new ValidationError([{ path: 'messages', message: 'expected an array' }]);
    const now = this.now();
    const ms = messages.map((m, i) => normalizeMessage(m, this.limits, now, `messages.${i}`));
    return { id, op: { kind: 'append', messages: ms, at: now }, messages: ms };
  }

  save(conversation: ConversationInput, options: SaveOptions | undefined): { id: string; op: Op } {
    const c = normalizeConversation(conversation, this.limits, this.now());
    const o = parseOrThrow(SaveOptionsSchema, options ?? {}, 'options');
    const op: Op = { kind: 'save', conversation: c, mode: o.onConflict ?? 'merge', at: this.now() };
    if (o.expectedRevision !== undefined) op.expectedRevision = o.expectedRevision;
    return { id: c.id, op };
  }

  metadata(conversationId: string, patch: Record<string, unknown>, options: SaveOptions): { id: string; op: Op } {
    const id = assertConversationId(conversationId);
    const p = normalizeMetadataPatch(patch, this.limits);
    const o = parseOrThrow(SaveOptionsSchema, options, 'options');
    const op: Op = { kind: 'metadata', patch: p, mode: o.onConflict ?? 'merge', at: this.now() };
    if (o.expectedRevision !== undefined) op.expectedRevision = o.expectedRevision;
    return { id, op };
  }

  delete(conversationId: string): { id: string; op: Op } {
    return { id: assertConversationId(conversationId), op: { kind: 'delete', at: this.now() } };
  }
}

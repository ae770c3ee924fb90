/**
 * Public write calls → validated operations. Everything a caller passes is checked here (schemas.ts)
 * and copied (no aliasing) before anything is queued: invalid input is a ValidationError and
 * nothing is written. Every operation gets its id here, before its first attempt.
 */
import { uuidv7 } from '../util/uuidv7.js';
import { ValidationError } from '@s5chat/s5';
import type { Op } from '../ops.js';
import {
  IdSchema,
  MessagePatchSchema,
  SaveOptionsSchema,
  WriteOptionsSchema,
  assertConversationId,
  jsonCopy,
  normalizeConversation,
  normalizeMessage,
  normalizeMetadataPatch,
  parseOrThrow,
  type BaseWriteOptions,
  type ConversationInput,
  type Limits,
  type Message,
  type MessageInput,
  type MessagePatch,
  type NormalizedConversation,
  type SaveOptions,
} from '../schemas.js';

export interface Intake<O extends Op = Op> {
  id: string;
  op: O & { id: string };
}

export class WriteIntake {
  constructor(
    readonly limits: Limits,
    readonly now: () => number,
  ) {}

  #operationId(options: unknown): string {
    const o = parseOrThrow(WriteOptionsSchema, options ?? {}, 'options');
    return o.operationId ?? uuidv7();
  }

  /** A message without an id gets the operation's id: re-submitting the operation re-sends the same message. */
  append(conversationId: string, message: MessageInput, options?: BaseWriteOptions): Intake<Op & { kind: 'append' }> & { message: Message } {
    const id = assertConversationId(conversationId);
    const opId = this.#operationId(options);
    const m = normalizeMessage(message, this.limits, this.now(), 'message', opId);
    return { id, op: { kind: 'append', id: opId, messages: [m], at: this.now() }, message: m };
  }

  appendMany(conversationId: string, messages: MessageInput[], options?: BaseWriteOptions): Intake<Op & { kind: 'append' }> & { messages: Message[] } {
    const id = assertConversationId(conversationId);
    const opId = this.#operationId(options);
    if (!Array.isArray(messages)) throw new ValidationError([{ path: 'messages', message: 'expected an array' }]);
    if (messages.length > this.limits.maxMessagesPerCall) {
      throw new ValidationError([{ path: 'messages', message: `has ${messages.length} messages, limit ${this.limits.maxMessagesPerCall}` }]);
    }
    const now = this.now();
    const ms = messages.map((m, i) => normalizeMessage(m, this.limits, now, `messages.${i}`, `${opId}.${i}`));
    return { id, op: { kind: 'append', id: opId, messages: ms, at: now }, messages: ms };
  }

  save(conversation: ConversationInput, options: SaveOptions | undefined): Intake & { conversation: NormalizedConversation } {
    const c = normalizeConversation(conversation, this.limits, this.now());
    const o = parseOrThrow(SaveOptionsSchema, options ?? {}, 'options');
    const op: Op & { kind: 'save'; id: string } = { kind: 'save', id: o.operationId ?? uuidv7(), conversation: c, mode: o.onConflict ?? 'merge', at: this.now() };
    if (o.expectedRevision !== undefined) op.expectedRevision = o.expectedRevision;
    return { id: c.id, op, conversation: c };
  }

  metadata(conversationId: string, patch: Record<string, unknown>, options: SaveOptions): Intake {
    const id = assertConversationId(conversationId);
    const p = normalizeMetadataPatch(patch, this.limits);
    const o = parseOrThrow(SaveOptionsSchema, options, 'options');
    const op: Op & { kind: 'metadata'; id: string } = { kind: 'metadata', id: o.operationId ?? uuidv7(), patch: p, mode: o.onConflict ?? 'merge', at: this.now() };
    if (o.expectedRevision !== undefined) op.expectedRevision = o.expectedRevision;
    if (o.ifAbsent) op.ifAbsent = true;
    return { id, op };
  }

  delete(conversationId: string, options?: BaseWriteOptions): Intake {
    const id = assertConversationId(conversationId);
    return { id, op: { kind: 'delete', id: this.#operationId(options), at: this.now() } };
  }

  editMessage(conversationId: string, messageId: string, patch: MessagePatch, options?: BaseWriteOptions): Intake {
    const id = assertConversationId(conversationId);
    const mid = parseOrThrow(IdSchema, messageId, 'messageId');
    const p = parseOrThrow(MessagePatchSchema, patch, 'patch');
    // Same limits as a new message (content bytes, metadata bytes).
    const probe = normalizeMessage({ id: mid, role: 'user', content: p.content ?? '', metadata: p.metadata, timestamp: 0 }, this.limits, 0, 'patch');
    const out: { content?: string; metadata?: Record<string, unknown> } = {};
    if (p.content !== undefined) out.content = p.content;
    if (p.metadata !== undefined) out.metadata = jsonCopy(probe.metadata ?? {});
    return { id, op: { kind: 'editMessage', id: this.#operationId(options), messageId: mid, patch: out, at: this.now() } };
  }

  deleteMessage(conversationId: string, messageId: string, options?: BaseWriteOptions): Intake {
    const id = assertConversationId(conversationId);
    const mid = parseOrThrow(IdSchema, messageId, 'messageId');
    return { id, op: { kind: 'deleteMessage', id: this.#operationId(options), messageId: mid, at: this.now() } };
  }
}

/** The message ids an operation carries (what an error after an unknown outcome names). */
export function messageIdsOf(op: Op): string[] {
  switch (op.kind) {
    case 'append':
      return op.messages.map((m) => m.id);
    case 'save':
      return op.conversation.messages.map((m) => m.id);
    case 'editMessage':
    case 'deleteMessage':
      return [op.messageId];
    default:
      return [];
  }
}

/** Approximate stored bytes of an operation's messages (UTF-16 length: cheap, within 3× of UTF-8). */
export function opWeight(op: Op): number {
  const list = op.kind === 'append' ? op.messages : op.kind === 'save' ? op.conversation.messages : null;
  if (!list) return op.kind === 'editMessage' ? (op.patch.content?.length ?? 0) : 0;
  let n = 0;
  for (const m of list) n += m.content.length + 64;
  return n;
}

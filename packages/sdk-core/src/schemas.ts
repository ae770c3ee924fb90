/**
 * Input schemas (zod 4). Every public write validates here first; invalid input becomes a
 * {@link ValidationError} listing each offending field path, and nothing is written.
 */
import { z } from 'zod';
import { uuidv7 } from 'uuidv7';
import { ValidationError } from '@s5chat/s5';

/** Conversation and message ids: 1–128 chars of `[A-Za-z0-9._-]`, not "." or ".." (safe in URLs, paths, keys). */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export interface Limits {
  /** Max UTF-8 bytes of one message's content. */
  maxContentBytes: number;
  /** Max messages in one conversation. */
  maxMessages: number;
  /** Max UTF-8 bytes of a message's metadata (JSON). */
  maxMessageMetadataBytes: number;
  /**
   * Max UTF-8 bytes of a conversation's metadata (JSON). It lives in the head, which every write
   * re-uploads: above ~2 KB the head no longer fits one 4 KiB padding block.
   */
  maxConversationMetadataBytes: number;
  /** Max messages in one save / batch append call. */
  maxMessagesPerCall: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxContentBytes: 256 * 1024,
  maxMessages: 100_000,
  maxMessageMetadataBytes: 16 * 1024,
  maxConversationMetadataBytes: 8 * 1024,
  maxMessagesPerCall: 20_000,
};

export const IdSchema = z
  .string()
  .regex(ID_PATTERN, 'expected 1-128 characters of [A-Za-z0-9._-]')
  // "." and ".." match the pattern but mean "this/parent directory" wherever an app maps ids to paths or URLs.
  .refine((id) => id !== '.' && id !== '..', 'must not be "." or ".."');
export const RoleSchema = z.enum(['user', 'assistant', 'system']);
const Timestamp = z.number().int().nonnegative().max(8.64e15);
const JsonRecord = z.record(z.string(), z.unknown());

export const MessageSchema = z.object({
  id: IdSchema,
  role: RoleSchema,
  content: z.string(),
  timestamp: Timestamp,
  metadata: JsonRecord.optional(),
  /**
   * Version of this message's content (ms). A streamed assistant message is written several times
   * under one id with growing content; the highest `updatedAt` wins everywhere (see merge.ts).
   */
  updatedAt: Timestamp.optional(),
});
export type Message = z.infer<typeof MessageSchema>;

/** What callers pass to appendMessage: id and timestamp are filled in when omitted. */
export const MessageInputSchema = MessageSchema.extend({
  id: IdSchema.optional(),
  timestamp: Timestamp.optional(),
});
export type MessageInput = z.input<typeof MessageInputSchema>;

export const ConversationDataSchema = z.object({
  id: IdSchema,
  messages: z.array(MessageSchema),
  metadata: JsonRecord,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ConversationData = z.infer<typeof ConversationDataSchema>;

/** What callers pass to saveConversation: everything but the id may be omitted. */
export const ConversationInputSchema = z.object({
  id: IdSchema,
  messages: z.array(MessageInputSchema).optional(),
  metadata: JsonRecord.optional(),
  createdAt: Timestamp.optional(),
  updatedAt: Timestamp.optional(),
});
export type ConversationInput = z.input<typeof ConversationInputSchema>;

export const OnConflictSchema = z.enum(['merge', 'fail', 'overwrite']);
export type OnConflict = z.infer<typeof OnConflictSchema>;

export const SaveOptionsSchema = z
  .object({
    expectedRevision: z.number().int().nonnegative().optional(),
    onConflict: OnConflictSchema.optional(),
  })
  .refine((o) => o.onConflict !== 'fail' || o.expectedRevision !== undefined, {
    message: "onConflict 'fail' needs expectedRevision (0 = the conversation must not exist yet)",
    path: ['expectedRevision'],
  });
export type SaveOptions = z.input<typeof SaveOptionsSchema>;

export const MetadataPatchSchema = JsonRecord;

export const ListOptionsSchema = z.object({
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2048).optional(),
});
export type ListOptions = z.input<typeof ListOptionsSchema>;

export interface ConversationSummary {
  id: string;
  title?: string;
  createdAt: number;
  updatedAt: number;
}

export interface StorageResult {
  conversationId: string;
  /** Registry revision that holds this change (0 = the conversation does not exist). */
  revision: number;
  messageCount: number;
  encrypted: boolean;
  /** Bytes uploaded by the write that carried this change (all attempts; shared by its batch). */
  bytesUploaded: number;
  /** Attempts the write needed (1 = no conflict). */
  attempts: number;
  /** Operations carried by that write (group commit). */
  batchSize: number;
  /**
   * 'durable': stored at `revision`. 'queued': the portal was unreachable; the write is in the
   * outbox and will be sent (see the 'outbox' event); revision/messageCount say nothing yet.
   * Always set on what the public write methods return.
   */
  status?: 'durable' | 'queued';
  /** Idempotency key of a queued write (the outbox replays it under this id). */
  operationId?: string;
}

// ---------------------------------------------------------------------------------------------

function issuesOf(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.'),
    message: i.message,
  }));
}

/** Parse or throw a ValidationError with every issue (path prefixed by `what`). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(issuesOf(r.error, what));
  return r.data;
}

const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;
function jsonBytes(v: unknown, path: string): number {
  try {
    return byteLength(JSON.stringify(v) ?? '');
  } catch {
    throw new ValidationError([{ path, message: 'must be JSON-serialisable' }]);
  }
}

export function assertConversationId(id: unknown, path = 'conversationId'): string {
  return parseOrThrow(IdSchema, id, path);
}

/** Check size limits that zod cannot express cheaply; collects all issues. */
function checkMessageLimits(m: Message, path: string, limits: Limits, out: { path: string; message: string }[]) {
  // UTF-8 needs at most 3 bytes per UTF-16 unit: skip the encode for content that is surely small.
  if (m.content.length * 3 > limits.maxContentBytes) {
    const n = byteLength(m.content);
    if (n > limits.maxContentBytes) out.push({ path: `${path}.content`, message: `is ${n} bytes, limit ${limits.maxContentBytes}` });
  }
  if (m.metadata !== undefined) {
    const n = jsonBytes(m.metadata, `${path}.metadata`);
    if (n > limits.maxMessageMetadataBytes)
      out.push({ path: `${path}.metadata`, message: `is ${n} bytes of JSON, limit ${limits.maxMessageMetadataBytes}` });
  }
}

/** Fill in id (UUIDv7: sortable) and timestamp, validate, enforce limits. */
export function normalizeMessage(input: unknown, limits: Limits, now: number, path = 'message'): Message {
  const parsed = parseOrThrow(MessageInputSchema, input, path);
  const m: Message = { ...parsed, id: parsed.id ?? uuidv7(), timestamp: parsed.timestamp ?? now };
  if (m.metadata === undefined) delete m.metadata;
  if (m.updatedAt === undefined) delete m.updatedAt;
  const issues: { path: string; message: string }[] = [];
  checkMessageLimits(m, path, limits, issues);
  if (issues.length) throw new ValidationError(issues);
  return m;
}

export interface NormalizedConversation {
  id: string;
  messages: Message[];
  metadata: Record<string, unknown>;
  createdAt?: number;
  updatedAt?: number;
}

export function normalizeConversation(input: unknown, limits: Limits, now: number): NormalizedConversation {
  const parsed = parseOrThrow(ConversationInputSchema, input, 'conversation');
  const issues: { path: string; message: string }[] = [];
  const inputs = parsed.messages ?? [];
  if (inputs.length > limits.maxMessagesPerCall) {
    issues.push({ path: 'conversation.messages', message: `has ${inputs.length} messages, limit ${limits.maxMessagesPerCall} per call` });
  }
  const messages: Message[] = [];
  const seen = new Set<string>();
  inputs.forEach((mi, i) => {
    const m: Message = { ...mi, id: mi.id ?? uuidv7(), timestamp: mi.timestamp ?? now };
    if (m.metadata === undefined) delete m.metadata;
    if (m.updatedAt === undefined) delete m.updatedAt;
    checkMessageLimits(m, `conversation.messages.${i}`, limits, issues);
    if (seen.has(m.id)) {
      // Two different versions of one id in a single snapshot are ambiguous; same content is harmless.
      const prev = messages.find((x) => x.id === m.id)!;
      if (JSON.stringify(prev) !== JSON.stringify(m)) issues.push({ path: `conversation.messages.${i}.id`, message: `duplicate id "${m.id}" with different content` });
      return;
    }
    seen.add(m.id);
    messages.push(m);
  });
  const metadata = parsed.metadata ?? {};
  const metaBytes = jsonBytes(metadata, 'conversation.metadata');
  if (metaBytes > limits.maxConversationMetadataBytes) {
    issues.push({ path: 'conversation.metadata', message: `is ${metaBytes} bytes of JSON, limit ${limits.maxConversationMetadataBytes}` });
  }
  if (issues.length) throw new ValidationError(issues);
  const out: NormalizedConversation = { id: parsed.id, messages, metadata };
  if (parsed.createdAt !== undefined) out.createdAt = parsed.createdAt;
  if (parsed.updatedAt !== undefined) out.updatedAt = parsed.updatedAt;
  return out;
}

export function normalizeMetadataPatch(patch: unknown, limits: Limits): Record<string, unknown> {
  const p = parseOrThrow(MetadataPatchSchema, patch, 'metadata');
  const n = jsonBytes(p, 'metadata');
  if (n > limits.maxConversationMetadataBytes) {
    throw new ValidationError([{ path: 'metadata', message: `is ${n} bytes of JSON, limit ${limits.maxConversationMetadataBytes}` }]);
  }
  return p;
}

export function resolveLimits(partial?: Partial<Limits>): Limits {
  const limits = { ...DEFAULT_LIMITS, ...(partial ?? {}) };
  const issues: { path: string; message: string }[] = [];
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v <= 0) issues.push({ path: `limits.${k}`, message: 'expected a positive integer' });
  }
  if (issues.length) throw new ValidationError(issues);
  return limits;
}

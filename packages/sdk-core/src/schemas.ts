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
  /**
   * Stored form only: a tombstone left by deleteMessage (merge.ts: it beats every live version).
   * Never returned by loads; callers cannot set it (MessageInputSchema omits it).
   */
  deleted: z.literal(true).optional(),
});
export type Message = z.infer<typeof MessageSchema>;

/** What callers pass to appendMessage: id and timestamp are filled in when omitted. */
export const MessageInputSchema = MessageSchema.omit({ deleted: true }).extend({
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
  /**
   * The revision this snapshot was loaded at (loadConversation returns it). With it, a merge save
   * applies what the caller changed relative to that revision (edits, removals, metadata) and keeps
   * what others wrote since; without it, a save is a plain union (see CONCURRENCY.md).
   */
  revision: z.number().int().nonnegative().optional(),
  /** Returned by loadConversation; ignored on save (the save method decides the mode). */
  encrypted: z.boolean().optional(),
});
export type ConversationInput = z.input<typeof ConversationInputSchema>;

export const OnConflictSchema = z.enum(['merge', 'fail', 'overwrite']);
export type OnConflict = z.infer<typeof OnConflictSchema>;

/**
 * Operation ids: 1–100 chars of `[A-Za-z0-9._-]` (an id of a message generated from it may get a
 * `.<n>` suffix and must stay a valid message id). Re-submitting an operation with the same id is a
 * no-op once it was applied (the applied-operations window, applied-ops.ts).
 */
export const OperationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1-100 characters of [A-Za-z0-9._-]')
  .refine((id) => id !== '.' && id !== '..', 'must not be "." or ".."');

/** Options every write takes. */
export const WriteOptionsSchema = z.object({
  /** Id of this operation (default: generated before the first attempt). */
  operationId: OperationIdSchema.optional(),
});
export type BaseWriteOptions = z.input<typeof WriteOptionsSchema>;

export const SaveOptionsSchema = z
  .object({
    expectedRevision: z.number().int().nonnegative().optional(),
    onConflict: OnConflictSchema.optional(),
    operationId: OperationIdSchema.optional(),
    /** updateMetadata only: set each key only where it has no value yet (e.g. a session's startTime). */
    ifAbsent: z.boolean().optional(),
  })
  .refine((o) => o.onConflict !== 'fail' || o.expectedRevision !== undefined, {
    message: "onConflict 'fail' needs expectedRevision (0 = the conversation must not exist yet)",
    path: ['expectedRevision'],
  });
export type SaveOptions = z.input<typeof SaveOptionsSchema>;

export const MetadataPatchSchema = JsonRecord;

/** editMessage: what to change in a stored message (at least one field). */
export const MessagePatchSchema = z
  .object({
    content: z.string().optional(),
    metadata: JsonRecord.optional(),
  })
  .strict()
  .refine((p) => p.content !== undefined || p.metadata !== undefined, { message: 'expected content and/or metadata' });
export type MessagePatch = z.input<typeof MessagePatchSchema>;

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
  /** The operation this result is for (list/maintenance writes have none). */
  operationId?: string;
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
/** A deep copy of a JSON value as it will be stored (inputs are copied at the boundary: no aliasing). */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function normalizeMessage(input: unknown, limits: Limits, now: number, path = 'message', defaultId?: string): Message {
  const parsed = parseOrThrow(MessageInputSchema, input, path);
  const m: Message = { ...parsed, id: parsed.id ?? defaultId ?? uuidv7(), timestamp: parsed.timestamp ?? now };
  if (m.metadata === undefined) delete m.metadata;
  if (m.updatedAt === undefined) delete m.updatedAt;
  const issues: { path: string; message: string }[] = [];
  checkMessageLimits(m, path, limits, issues);
  if (issues.length) throw new ValidationError(issues);
  if (m.metadata !== undefined) m.metadata = jsonCopy(m.metadata);
  return m;
}

export interface NormalizedConversation {
  id: string;
  messages: Message[];
  metadata: Record<string, unknown>;
  createdAt?: number;
  updatedAt?: number;
  /** The revision the snapshot was loaded at, when it says so. */
  revision?: number;
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
  for (const m of messages) if (m.metadata !== undefined) m.metadata = jsonCopy(m.metadata);
  const out: NormalizedConversation = { id: parsed.id, messages, metadata: jsonCopy(metadata) };
  if (parsed.createdAt !== undefined) out.createdAt = parsed.createdAt;
  if (parsed.updatedAt !== undefined) out.updatedAt = parsed.updatedAt;
  if (parsed.revision !== undefined) out.revision = parsed.revision;
  return out;
}

export function normalizeMetadataPatch(patch: unknown, limits: Limits): Record<string, unknown> {
  const p = parseOrThrow(MetadataPatchSchema, patch, 'metadata');
  const n = jsonBytes(p, 'metadata');
  if (n > limits.maxConversationMetadataBytes) {
    throw new ValidationError([{ path: 'metadata', message: `is ${n} bytes of JSON, limit ${limits.maxConversationMetadataBytes}` }]);
  }
  return jsonCopy(p);
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

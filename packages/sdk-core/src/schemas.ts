/**
 * Input schemas, written with our valibot-shaped toolkit (validation/schema.ts: hand-written for the
 * browser bundle budget — it is 1.6 KB gzip smaller than valibot, zod/mini would cost ~9 KB and
 * classic zod ~90 KB; see test/size/bundle-size.test.ts). Every public write validates here first; invalid input becomes a
 * {@link ValidationError} listing each offending field path, and nothing is written.
 */
import * as v from './validation/schema.js';
import { uuidv7 } from './util/uuidv7.js';
import { ValidationError, type ValidationIssue } from '@s5chat/s5';

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

// --- building blocks ---------------------------------------------------------------------------
// object() and record() accept arrays (and record() any object), as valibot's do; our rules (kept from
// the zod schemas) refuse them, so both are wrapped in a type check that runs first.

const isObjectLike = (x: unknown): boolean => typeof x === 'object' && x !== null && !Array.isArray(x);
/** Plain objects only (what JSON.parse makes, or `{}` literals / Object.create(null)): no Date, Map, class instances. */
const isPlainObject = (x: unknown): boolean => {
  if (!isObjectLike(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === null || proto === Object.prototype;
};

/** An object schema (unknown keys are dropped) that refuses arrays and non-objects. */
/* @__NO_SIDE_EFFECTS__ */
export function objectSchema<E extends v.ObjectEntries>(entries: E) {
  const obj = v.object(entries, 'expected an object');
  return v.pipe(v.custom<v.InferInput<typeof obj>>(isObjectLike, 'expected an object'), obj);
}

/** A JSON-style record: a plain object with string keys. */
export const JsonRecordSchema = v.pipe(
  v.custom<Record<string, unknown>>(isPlainObject, 'expected a plain object'),
  v.record(v.string(), v.unknown()),
);

export const IdSchema = v.pipe(
  v.string('expected a string'),
  v.regex(ID_PATTERN, 'expected 1-128 characters of [A-Za-z0-9._-]'),
  // "." and ".." match the pattern but mean "this/parent directory" wherever an app maps ids to paths or URLs.
  v.check((id) => id !== '.' && id !== '..', 'must not be "." or ".."'),
);
export const RoleSchema = v.picklist(['user', 'assistant', 'system'], "expected 'user', 'assistant' or 'system'");
const nonNegativeInt = /* @__NO_SIDE_EFFECTS__ */ (max: number) =>
  v.pipe(v.number('expected a number'), v.integer('expected an integer'), v.minValue(0, 'expected >= 0'), v.maxValue(max, `expected <= ${max}`));
/** Milliseconds since the epoch (up to the largest valid Date). */
export const TimestampSchema = nonNegativeInt(8.64e15);

// --- public input and data shapes -------------------------------------------------------------

const messageEntries = {
  id: IdSchema,
  role: RoleSchema,
  content: v.string('expected a string'),
  timestamp: TimestampSchema,
  metadata: v.optional(JsonRecordSchema),
  /**
   * Version of this message's content (ms). A streamed assistant message is written several times
   * under one id with growing content; the highest `updatedAt` wins everywhere (see merge.ts).
   */
  updatedAt: v.optional(TimestampSchema),
};
export const MessageSchema = objectSchema({
  ...messageEntries,
  /**
   * Stored form only: a tombstone left by deleteMessage (merge.ts: it beats every live version).
   * Never returned by loads; callers cannot set it (MessageInputSchema has no such key).
   */
  deleted: v.optional(v.literal(true)),
});
export type Message = v.InferOutput<typeof MessageSchema>;

/** What callers pass to appendMessage: id and timestamp are filled in when omitted. */
export const MessageInputSchema = objectSchema({
  ...messageEntries,
  id: v.optional(IdSchema),
  timestamp: v.optional(TimestampSchema),
});
export type MessageInput = v.InferInput<typeof MessageInputSchema>;

export const ConversationDataSchema = objectSchema({
  id: IdSchema,
  messages: v.array(MessageSchema, 'expected an array'),
  metadata: JsonRecordSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type ConversationData = v.InferOutput<typeof ConversationDataSchema>;

/** What callers pass to saveConversation: everything but the id may be omitted. */
export const ConversationInputSchema = objectSchema({
  id: IdSchema,
  messages: v.optional(v.array(MessageInputSchema, 'expected an array')),
  metadata: v.optional(JsonRecordSchema),
  createdAt: v.optional(TimestampSchema),
  updatedAt: v.optional(TimestampSchema),
  /**
   * The revision this snapshot was loaded at (loadConversation returns it). With it, a merge save
   * applies what the caller changed relative to that revision (edits, removals, metadata) and keeps
   * what others wrote since; without it, a save is a plain union (see CONCURRENCY.md).
   */
  revision: v.optional(nonNegativeInt(Number.MAX_SAFE_INTEGER)),
  /** Returned by loadConversation; ignored on save (the save method decides the mode). */
  encrypted: v.optional(v.boolean('expected a boolean')),
});
export type ConversationInput = v.InferInput<typeof ConversationInputSchema>;

export const OnConflictSchema = v.picklist(['merge', 'fail', 'overwrite'], "expected 'merge', 'fail' or 'overwrite'");
export type OnConflict = v.InferOutput<typeof OnConflictSchema>;

/**
 * Operation ids: 1–100 chars of `[A-Za-z0-9._-]` (ids of messages generated from it get a `.<n>`
 * suffix and must stay valid message ids). Re-submitting an operation with the same id is a no-op
 * once it was applied (the applied-operations window, applied-ops.ts).
 */
export const OperationIdSchema = v.pipe(
  v.string('expected a string'),
  v.regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1-100 characters of [A-Za-z0-9._-]'),
  v.check((id) => id !== '.' && id !== '..', 'must not be "." or ".."'),
);

/** Options every write takes. */
export const WriteOptionsSchema = objectSchema({
  /** Id of this operation (default: generated before the first attempt). */
  operationId: v.optional(OperationIdSchema),
});
export type BaseWriteOptions = v.InferInput<typeof WriteOptionsSchema>;

export const SaveOptionsSchema = v.pipe(
  objectSchema({
    expectedRevision: v.optional(nonNegativeInt(Number.MAX_SAFE_INTEGER)),
    onConflict: v.optional(OnConflictSchema),
    operationId: v.optional(OperationIdSchema),
    /** updateMetadata only: set each key only where it has no value yet (e.g. a session's startTime). */
    ifAbsent: v.optional(v.boolean('expected a boolean')),
  }),
  v.forward(
    v.check(
      (o) => o.onConflict !== 'fail' || o.expectedRevision !== undefined,
      "needed by onConflict 'fail' (0 = must not exist)",
    ),
    ['expectedRevision'],
  ),
);
export type SaveOptions = v.InferInput<typeof SaveOptionsSchema>;

export const MetadataPatchSchema = JsonRecordSchema;

/** editMessage: what to change in a stored message (content and/or metadata; nothing else). */
export const MessagePatchSchema = v.pipe(
  v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'expected an object'),
  v.strictObject({ content: v.optional(v.string('expected a string')), metadata: v.optional(JsonRecordSchema) }, 'only content and metadata can be edited'),
  v.check((p) => p.content !== undefined || p.metadata !== undefined, 'expected content and/or metadata'),
);
export type MessagePatch = v.InferInput<typeof MessagePatchSchema>;

export const ListOptionsSchema = objectSchema({
  limit: v.optional(v.pipe(v.number('expected a number'), v.integer('expected an integer'), v.minValue(1, 'expected >= 1'), v.maxValue(1000, 'expected <= 1000'))),
  cursor: v.optional(v.pipe(v.string('expected a string'), v.maxLength(2048, 'expected at most 2048 characters'))),
});
export type ListOptions = v.InferInput<typeof ListOptionsSchema>;

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
  /** The operation this result is for (a queued write is replayed under it; re-submitting it is a no-op once applied). */
  operationId?: string;
}

// ---------------------------------------------------------------------------------------------

/** Any schema this module (or a layout document) validates with. */
export type Schema = v.GenericSchema<unknown, unknown>;

/** Schema issues as our {@link ValidationIssue}s: dotted paths (`messages.1.role`) prefixed by `prefix`. */
export function issuesOf(issues: readonly v.BaseIssue<unknown>[], prefix: string): ValidationIssue[] {
  return issues.map((i) => ({
    path: [prefix, v.getDotPath(i) ?? ''].filter((p) => p !== '').join('.'),
    message: i.message,
  }));
}

/** Parse or throw a ValidationError with every issue (path prefixed by `what`). */
export function parseOrThrow<S extends Schema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const r = v.safeParse(schema, value);
  if (!r.success) throw new ValidationError(issuesOf(r.issues, what));
  return r.output as v.InferOutput<S>;
}

/** Validate a stored document: its parsed value, or a one-line summary of every issue. */
export function checkDocument<S extends Schema>(schema: S, doc: unknown): { ok: true; value: v.InferOutput<S> } | { ok: false; details: string } {
  const r = v.safeParse(schema, doc);
  if (r.success) return { ok: true, value: r.output as v.InferOutput<S> };
  return { ok: false, details: issuesOf(r.issues, '').map((i) => `${i.path}: ${i.message}`).join('; ') };
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

/** Check size limits that a schema cannot express cheaply; collects all issues. */
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

/** A deep copy of a JSON value as it will be stored (inputs are copied at the boundary: no aliasing). */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Fill in id (default: `defaultId`, else a UUIDv7: sortable) and timestamp, validate, enforce limits. */
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
    issues.push({ path: 'conversation.messages', message: `has ${inputs.length} messages, limit ${limits.maxMessagesPerCall}` });
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

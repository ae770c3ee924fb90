/**
 * fast-check generators of bad input for the SDK's public write/read methods.
 *
 * Each generator produces values that the contract says must be refused with a typed
 * `ValidationError` before anything touches the network. Every case carries a `why` label so a
 * shrunk counterexample says which rule it broke.
 */
import fc from 'fast-check';

/** Valid conversation-id alphabet per the contract: 1-128 chars of [A-Za-z0-9._-]. */
const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';
export const validIdArb = fc
  .string({ unit: fc.constantFrom(...ID_CHARS.split('')), minLength: 3, maxLength: 40 })
  .filter((s) => s !== '.' && s !== '..' && /[A-Za-z0-9]/.test(s));

/** Characters that must never appear in an id: separators, controls, and unicode tricks. */
export const HOSTILE_CHARS = [
  '/', // path separator
  '\\', // windows separator
  '\u0000', // NUL
  '\n',
  '\r',
  '\t',
  ' ',
  '\u202E', // RIGHT-TO-LEFT OVERRIDE: makes "gpj.exe" render as "exe.jpg"
  '\u200B', // ZERO WIDTH SPACE: two ids that look identical
  '\u200D', // ZERO WIDTH JOINER
  '\uFEFF', // BOM
  '\u0130', // dotted capital I: case-folding surprises
  'é',
  'ｆ', // fullwidth letter: NFKC-normalises to "f"
  '\uD83D\uDE00', // emoji (surrogate pair)
  '\uD800', // lone surrogate: not valid UTF-16 text
  '%', // URL escapes
  '?',
  '#',
  ':',
  '*',
  '"',
  '<',
  '>',
  '|',
];

const hostileCharArb = fc.constantFrom(...HOSTILE_CHARS);

/** A string id that must be rejected, labelled with the reason. */
export const badIdStringArb: fc.Arbitrary<{ why: string; value: string }> = fc.oneof(
  fc.constantFrom(
    { why: 'empty', value: '' },
    { why: 'parent traversal', value: '../secrets' },
    { why: 'parent traversal (windows)', value: '..\\secrets' },
    { why: 'absolute path', value: '/etc/passwd' },
    { why: 'nested path', value: 'a/b' },
    { why: 'NUL', value: 'abc\u0000def' },
    { why: 'RTL override', value: 'invoice\u202Egpj.exe' },
    { why: 'zero-width', value: 'chat\u200B1' },
    { why: 'too long (129)', value: 'x'.repeat(129) },
    { why: 'huge (10 KB)', value: 'x'.repeat(10 * 1024) },
    { why: 'whitespace only', value: '   ' },
  ),
  // A valid id with one hostile character spliced in at a random position.
  fc.tuple(validIdArb, hostileCharArb, fc.nat()).map(([id, ch, at]) => {
    const i = at % (id.length + 1);
    return { why: `hostile char U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`, value: id.slice(0, i) + ch + id.slice(i) };
  }),
  // Length just past the limit, from the valid alphabet (only the length is wrong).
  fc.integer({ min: 129, max: 2048 }).map((n) => ({ why: `too long (${n})`, value: 'a'.repeat(n) })),
);

/** A value of the wrong type where a string is expected. */
export const wrongTypeArb: fc.Arbitrary<{ why: string; value: unknown }> = fc.oneof(
  fc.integer().map((value) => ({ why: 'number', value })),
  fc.double().map((value) => ({ why: 'double', value })),
  fc.boolean().map((value) => ({ why: 'boolean', value })),
  fc.constant({ why: 'null', value: null }),
  fc.constant({ why: 'undefined', value: undefined }),
  fc.array(fc.string(), { maxLength: 3 }).map((value) => ({ why: 'array', value })),
  fc.object({ maxDepth: 1, maxKeys: 3 }).map((value) => ({ why: 'object', value })),
  fc.bigInt().map((value) => ({ why: 'bigint', value })),
);

export const badConversationIdArb = fc.oneof(
  { weight: 4, arbitrary: badIdStringArb },
  { weight: 1, arbitrary: wrongTypeArb },
);

export interface ValidMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  timestamp: number;
  metadata?: Record<string, unknown>;
}

export const validMessageArb: fc.Arbitrary<ValidMessage> = fc.record({
  id: validIdArb.map((s) => `m-${s}`.slice(0, 64)),
  role: fc.constantFrom('user' as const, 'assistant' as const, 'system' as const),
  content: fc.string({ maxLength: 40 }),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
});

export interface BadInputLimits {
  /** The content limit the SDK under test enforces; oversized cases exceed it by 1..64 chars. */
  maxContentLength: number;
}

/** One field of an otherwise valid message broken. */
export function badMessageArb(limits: BadInputLimits): fc.Arbitrary<{ why: string; value: unknown }> {
  const field = <K extends string>(key: K, bad: fc.Arbitrary<{ why: string; value: unknown }>) =>
    fc.tuple(validMessageArb, bad).map(([m, b]) => ({ why: `${key}: ${b.why}`, value: { ...m, [key]: b.value } }));
  const oversized = fc.integer({ min: 1, max: 64 }).map((extra) => ({
    why: `oversized content (+${extra})`,
    value: 'x'.repeat(limits.maxContentLength + extra),
  }));
  const badRole = fc.oneof(
    fc.string({ maxLength: 12 }).filter((s) => !['user', 'assistant', 'system'].includes(s)).map((value) => ({ why: 'unknown role', value })),
    fc.constantFrom({ why: 'role case', value: 'User' }, { why: 'role padded', value: ' user' }),
    wrongTypeArb.filter((b) => b.value !== undefined),
  );
  const badContent = fc.oneof(wrongTypeArb.filter((b) => b.value !== undefined), oversized);
  const badTimestamp = fc.oneof(
    fc.constantFrom(
      { why: 'NaN', value: Number.NaN },
      { why: 'Infinity', value: Number.POSITIVE_INFINITY },
      { why: '-Infinity', value: Number.NEGATIVE_INFINITY },
      { why: 'negative', value: -1 },
      { why: 'unsafe integer', value: 2 ** 60 },
    ),
    fc.string({ maxLength: 8 }).map((value) => ({ why: 'string timestamp', value })),
    fc.constant({ why: 'null timestamp', value: null }),
    fc.object({ maxDepth: 0 }).map((value) => ({ why: 'object timestamp', value })),
  );
  const badMetadata = fc.oneof(
    fc.array(fc.integer(), { maxLength: 3 }).map((value) => ({ why: 'metadata array', value })),
    fc.string({ maxLength: 5 }).map((value) => ({ why: 'metadata string', value })),
    fc.integer().map((value) => ({ why: 'metadata number', value })),
  );
  // Message ids follow the same rule as conversation ids.
  const badMessageId = fc.oneof(
    badIdStringArb,
    wrongTypeArb.filter((b) => b.value !== undefined && b.value !== null),
  );
  return fc.oneof(
    field('role', badRole),
    field('content', badContent),
    field('timestamp', badTimestamp),
    field('metadata', badMetadata),
    field('id', badMessageId),
    // Not a message object at all.
    wrongTypeArb.filter((b) => b.value === null || b.value === undefined || typeof b.value !== 'object' || Array.isArray(b.value)).map((b) => ({ why: `message is ${b.why}`, value: b.value })),
    // Required field missing.
    fc.tuple(validMessageArb, fc.constantFrom('role', 'content')).map(([m, key]) => {
      const copy: Record<string, unknown> = { ...m };
      delete copy[key];
      return { why: `missing ${key}`, value: copy };
    }),
  );
}

/** A conversation for saveConversation with one part broken. */
export function badConversationArb(limits: BadInputLimits): fc.Arbitrary<{ why: string; value: unknown }> {
  const base = fc.record({
    id: validIdArb,
    messages: fc.array(validMessageArb, { maxLength: 3 }),
    metadata: fc.constant({} as Record<string, unknown>),
    createdAt: fc.constant(1_700_000_000_000),
    updatedAt: fc.constant(1_700_000_000_000),
  });
  return fc.oneof(
    fc.tuple(base, badConversationIdArb).map(([c, b]) => ({ why: `conversation id: ${b.why}`, value: { ...c, id: b.value } })),
    fc.tuple(base, badMessageArb(limits), fc.nat()).map(([c, b, at]) => {
      const messages: unknown[] = [...c.messages];
      messages.splice(at % (messages.length + 1), 0, b.value);
      return { why: `messages[]: ${b.why}`, value: { ...c, messages } };
    }),
    fc.tuple(base, wrongTypeArb.filter((b) => b.value !== undefined && !Array.isArray(b.value))).map(([c, b]) => ({
      why: `messages is ${b.why}`,
      value: { ...c, messages: b.value },
    })),
    fc.tuple(base, fc.oneof(fc.array(fc.integer(), { maxLength: 2 }), fc.string(), fc.integer())).map(([c, value]) => ({
      why: 'metadata not an object',
      value: { ...c, metadata: value },
    })),
    wrongTypeArb.filter((b) => b.value === null || b.value === undefined || typeof b.value !== 'object' || Array.isArray(b.value)).map((b) => ({ why: `conversation is ${b.why}`, value: b.value })),
  );
}

// The hand-written schema toolkit (src/validation/schema.ts) against valibot itself, which it
// replaced for the bundle budget: the same schema shapes built with each must accept exactly the
// same values, give the same output, and report the same issues (path and message, in order), on
// generated values that are mostly almost valid. Then the real schemas' ValidationError paths.
import fc from 'fast-check';
import * as valibot from 'valibot';
import { describe, expect, it } from 'vitest';
import * as mine from '../../src/validation/schema.js';
import {
  ConversationInputSchema,
  DEFAULT_LIMITS,
  MessageInputSchema,
  MessagePatchSchema,
  MessageSchema,
  SaveOptionsSchema,
  ValidationError,
  checkDocument,
  normalizeMessage,
  normalizeMetadataPatch,
  parseOrThrow,
} from '../../src/index.js';

type Toolkit = typeof mine;
const isObjectLike = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPlainObject = (x: unknown) => isObjectLike(x) && [null, Object.prototype].includes(Object.getPrototypeOf(x));

/** The shapes sdk-core uses (schemas.ts and layout/), built with either toolkit; every message given. */
function shapes(v: Toolkit) {
  const obj = <E extends mine.ObjectEntries>(e: E) => v.pipe(v.custom(isObjectLike, 'expected an object'), v.object(e, 'object'));
  const json = v.pipe(v.custom(isPlainObject, 'plain'), v.record(v.string('key'), v.unknown()));
  const dots = v.check((s: string) => s !== '.' && s !== '..', 'dots');
  const id = v.pipe(v.string('string'), v.regex(/^[A-Za-z0-9._-]{1,128}$/, 'pattern'), dots);
  const ts = v.pipe(v.number('number'), v.integer('integer'), v.minValue(0, '>=0'), v.maxValue(8.64e15, '<=max'));
  const message = obj({
    id,
    role: v.picklist(['user', 'assistant', 'system'], 'role'),
    content: v.string('content'),
    timestamp: ts,
    metadata: v.optional(json),
    updatedAt: v.optional(ts),
    deleted: v.optional(v.literal(true, 'true')),
  });
  const conversation = obj({
    id,
    messages: v.optional(v.array(message, 'array')),
    metadata: v.optional(json),
    revision: v.optional(ts),
    encrypted: v.optional(v.boolean('boolean')),
  });
  const saveOptions = v.pipe(
    obj({
      expectedRevision: v.optional(ts),
      onConflict: v.optional(v.picklist(['merge', 'fail', 'overwrite'], 'onConflict')),
      operationId: v.optional(v.pipe(v.string('string'), v.regex(/^[A-Za-z0-9._-]{1,100}$/, 'op pattern'), dots)),
    }),
    v.forward(
      v.check((o: { onConflict?: string; expectedRevision?: number }) => o.onConflict !== 'fail' || o.expectedRevision !== undefined, 'needs revision'),
      ['expectedRevision'],
    ),
  );
  const patch = v.pipe(
    v.custom<Record<string, unknown>>(isObjectLike, 'expected an object'),
    v.strictObject({ content: v.optional(v.string('content')), metadata: v.optional(json) }, 'only content and metadata'),
    v.check((p: { content?: string; metadata?: object }) => p.content !== undefined || p.metadata !== undefined, 'one of them'),
  );
  const list = obj({
    limit: v.optional(v.pipe(v.number('number'), v.integer('integer'), v.minValue(1, '>=1'), v.maxValue(1000, '<=1000'))),
    cursor: v.optional(v.pipe(v.string('string'), v.maxLength(2048, 'length'))),
  });
  const count = v.pipe(v.number('number'), v.safeInteger('safe'), v.minValue(0, '>=0'));
  const head = obj({
    v: v.literal(1, 'version'),
    type: v.literal('s5chat.head', 'type'),
    clock: v.record(v.string('key'), v.strictTuple([v.number('number'), v.string('string')], 'tuple'), 'record'),
    segments: v.array(obj({ hash: v.pipe(v.string('string'), v.regex(/^[A-Za-z0-9_-]{4}$/, 'hash')), size: count }), 'array'),
    ops: v.optional(v.pipe(v.string('string'), v.regex(/^(?:[A-Za-z0-9_-]{2})*$/, 'ops'))),
    inline: v.optional(obj({ hash: v.string('string'), messages: v.array(message, 'array') })),
  });
  return { id, message, conversation, saveOptions, patch, list, head, json };
}

const ours = shapes(mine);
const reference = shapes(valibot as unknown as Toolkit);

function outcome(v: Toolkit, s: mine.GenericSchema<unknown, unknown>, value: unknown) {
  const r = v.safeParse(s, value);
  return r.success ? { ok: true, output: r.output } : { ok: false, issues: r.issues.map((i) => `${v.getDotPath(i) ?? ''}: ${i.message}`) };
}

// --- generators: mostly well-formed, with one field at a time likely to be off ------------------
const junk = fc.oneof(
  fc.constantFrom(undefined, null, NaN, Infinity, -1, 1.5, 0, '', true, false, [], {}, [1, 2]),
  fc.constant(new Date(0)),
  fc.constant(Object.assign(Object.create(null) as object, { a: 1 })),
  fc.string({ maxLength: 4 }),
  fc.integer(),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: a as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk });
/** Like maybe(), for the head's many fields (else almost no generated head is valid). */
const often = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 40, arbitrary: a as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk });
const idArb = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), fc.constantFrom('.', '..', '', 'a b', 'x'.repeat(128), 'x'.repeat(129), 'é'));
const tsArb = fc.oneof({ weight: 5, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constantFrom(8.64e15, 8.64e15 + 1, -1, 1.5, -0.5, NaN, Infinity, 2 ** 53 + 2) });
const jsonArb = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constantFrom({ constructor: 1, a: 2 }, { prototype: 'p' }, JSON.parse('{"__proto__": {"x": 1}, "b": 2}') as object),
  fc.constant(Object.assign(Object.create(null) as object, { k: 'v' })),
);
/** An object of these fields (sometimes with some missing, sometimes with unknown extra keys). */
const some = <T>(record: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc
    .tuple(
      fc.oneof({ weight: 3, arbitrary: fc.record(record) }, { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) }),
      fc.option(fc.dictionary(fc.string({ maxLength: 3 }), fc.anything({ maxDepth: 1 }), { maxKeys: 2 })),
    )
    .map(([r, extra]) => (extra ? { ...extra, ...r } : r));
const messageArb = some({
  id: maybe(idArb),
  role: maybe(fc.constantFrom('user', 'assistant', 'system', 'bot')),
  content: maybe(fc.string({ maxLength: 5 })),
  timestamp: maybe(tsArb),
  metadata: maybe(jsonArb),
  updatedAt: maybe(tsArb),
  deleted: maybe(fc.constantFrom(true, false)),
});
const arbs: Record<keyof typeof ours, fc.Arbitrary<unknown>> = {
  id: maybe(idArb),
  json: maybe(jsonArb),
  message: maybe(messageArb),
  conversation: maybe(
    some({ id: maybe(idArb), messages: maybe(fc.array(messageArb, { maxLength: 3 })), metadata: maybe(jsonArb), revision: maybe(tsArb), encrypted: maybe(fc.boolean()) }),
  ),
  saveOptions: maybe(some({ expectedRevision: maybe(tsArb), onConflict: maybe(fc.constantFrom('merge', 'fail', 'overwrite', 'other')), operationId: maybe(idArb) })),
  patch: maybe(some({ content: maybe(fc.string({ maxLength: 3 })), metadata: maybe(jsonArb) })),
  list: maybe(some({ limit: maybe(fc.oneof(fc.integer({ min: -2, max: 1002 }), tsArb)), cursor: maybe(fc.oneof(fc.string({ maxLength: 3 }), fc.constant('x'.repeat(2049)))) })),
  head: often(
    some({
      v: often(fc.constantFrom(1, 2)),
      type: often(fc.constantFrom('s5chat.head', 's5chat.segment')),
      clock: often(
        fc.dictionary(fc.string({ maxLength: 3 }), often(fc.oneof({ weight: 8, arbitrary: fc.tuple(tsArb, fc.string({ maxLength: 2 })) }, fc.tuple(tsArb), fc.tuple(tsArb, fc.string(), tsArb), fc.tuple(fc.string(), tsArb))), {
          maxKeys: 3,
        }),
      ),
      segments: often(fc.array(some({ hash: often(fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{4}$/) }, fc.string({ maxLength: 5 }))), size: often(tsArb) }), { maxLength: 2 })),
      ops: often(fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^(?:[A-Za-z0-9_-]{2}){0,3}$/) }, fc.string({ maxLength: 3 }))),
      inline: often(some({ hash: often(fc.string({ maxLength: 2 })), messages: often(fc.array(messageArb, { maxLength: 2 })) })),
    }),
  ),
};

describe('schema toolkit = valibot on the shapes sdk-core uses', () => {
  for (const name of Object.keys(ours) as (keyof typeof ours)[]) {
    it(`${name}: same acceptance, output and issues`, () => {
      let accepted = 0;
      let refused = 0;
      fc.assert(
        fc.property(arbs[name], (value) => {
          const a = outcome(mine, ours[name] as never, value);
          const b = outcome(valibot as unknown as Toolkit, reference[name] as never, value);
          expect(a).toStrictEqual(b);
          if (a.ok) accepted++;
          else refused++;
        }),
        { numRuns: 1500, seed: 15 },
      );
      // The generators must exercise both sides, or the comparison says little.
      expect(accepted).toBeGreaterThan(20);
      expect(refused).toBeGreaterThan(20);
    });
  }
});

describe('the real schemas: ValidationError lists every offending field', () => {
  const paths = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).issues.map((i) => i.path);
    }
    throw new Error('accepted');
  };

  it('missing, wrong and extra fields of a message', () => {
    expect(paths(() => parseOrThrow(MessageSchema, {}, 'message'))).toEqual(['message.id', 'message.role', 'message.content', 'message.timestamp']);
    expect(paths(() => parseOrThrow(MessageInputSchema, { role: 'bot', content: 5, timestamp: -1.5, metadata: [] }, 'message'))).toEqual([
      'message.role',
      'message.content',
      'message.timestamp', // not an integer
      'message.timestamp', // and negative
      'message.metadata',
    ]);
    expect(paths(() => parseOrThrow(MessageInputSchema, [], 'message'))).toEqual(['message']);
    // Unknown keys are dropped, not refused.
    expect(parseOrThrow(MessageInputSchema, { role: 'user', content: 'x', extra: 1 }, 'm')).toStrictEqual({ role: 'user', content: 'x' });
  });

  it('nested paths in a conversation, and a check forwarded to its field', () => {
    const bad = { id: 'ok', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b', metadata: new Date() }, 'x'] };
    expect(paths(() => parseOrThrow(ConversationInputSchema, bad, 'conversation'))).toEqual(['conversation.messages.1.metadata', 'conversation.messages.2']);
    expect(paths(() => parseOrThrow(SaveOptionsSchema, { onConflict: 'fail' }, 'options'))).toEqual(['options.expectedRevision']);
    expect(parseOrThrow(SaveOptionsSchema, { onConflict: 'fail', expectedRevision: 0 }, 'options')).toStrictEqual({ onConflict: 'fail', expectedRevision: 0 });
  });

  it('a patch takes content and metadata only, at least one of them', () => {
    expect(paths(() => parseOrThrow(MessagePatchSchema, { content: 'x', role: 'user' }, 'patch'))).toEqual(['patch.role']);
    expect(paths(() => parseOrThrow(MessagePatchSchema, {}, 'patch'))).toEqual(['patch']);
    expect(parseOrThrow(MessagePatchSchema, { metadata: { a: 1 } }, 'patch')).toStrictEqual({ metadata: { a: 1 } });
  });

  it('limits add their issues after the shape is right; stored documents summarise every issue', () => {
    const limits = { ...DEFAULT_LIMITS, maxContentBytes: 3 };
    expect(paths(() => normalizeMessage({ role: 'user', content: 'four' }, limits, 1))).toEqual(['message.content']);
    expect(normalizeMetadataPatch({ constructor: 1, a: 2 }, limits)).toStrictEqual({ a: 2 }); // as valibot's record: prototype keys dropped
    const r = checkDocument(MessageSchema, { id: '.', role: 'user', content: 'x', timestamp: 'now' });
    expect(r).toStrictEqual({ ok: false, details: 'id: must not be "." or ".."; timestamp: expected a number' });
  });
});

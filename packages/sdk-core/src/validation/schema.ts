/**
 * The small schema toolkit every input and stored document is checked with: the subset of valibot's
 * API (same names, same semantics) that sdk-core uses, so a schema reads like valibot.
 *
 * Why hand-written rather than a library: the browser bundle budget (60,000 B gzip for an app that
 * imports createSdk, test/size/bundle-size.test.ts): swapping valibot's tree-shaken validators and
 * issue machinery (zod/mini would be ~9 KB gzip, classic zod ~90 KB) for these ~200 lines saved
 * 1.6 KB gzip, and they keep what we rely on — every offending field reported with its path
 * (`messages.1.role`), unknown keys dropped from objects, nothing accepted that valibot refused
 * (test/unit/validation.test.ts checks them against valibot itself).
 *
 * Every factory is marked `@__NO_SIDE_EFFECTS__` (as valibot's are), so a bundler that follows the
 * annotation across modules (Rollup / Vite) drops the schemas an app never uses.
 *
 * The rules that matter (valibot's): a schema failure (wrong type, missing key) makes the value
 * "untyped" and skips the rest of its pipe; a failed validation action (regex, minValue, check …) is
 * reported but keeps the value typed, so the actions after it run too.
 */

/** One problem found in a value: where (keys from the root, outermost first) and what. */
export interface Issue {
  path: (string | number)[];
  message: string;
}

/** Returned by a schema's run for an untyped value (its issues are already pushed). */
const FAIL: unique symbol = Symbol('invalid');
type Fail = typeof FAIL;

/** Check `value`, push every issue found (paths relative to it), return the output or FAIL. */
type Run = (value: unknown, issues: Issue[]) => unknown;

export interface GenericSchema<I = unknown, O = I> {
  readonly r: Run;
  /** Set on optional(): an object key with this schema may be missing. */
  readonly o?: true;
  /** Type-level only: the input and output types (never set at run time). */
  readonly t?: { i: I; o: O };
}
/** A pipe item that validates a typed value (never changes it). */
export interface Action<T> {
  readonly a: (value: T, issues: Issue[]) => void;
}
export type InferInput<S> = S extends GenericSchema<infer I, unknown> ? I : never;
export type InferOutput<S> = S extends GenericSchema<unknown, infer O> ? O : never;
export type ObjectEntries = Record<string, GenericSchema<any, any>>;
export type BaseIssue<_T = unknown> = Issue;

type OptionalKeys<E extends ObjectEntries> = { [K in keyof E]: E[K] extends { o: true } ? K : never }[keyof E];
type Flat<T> = { [K in keyof T]: T[K] } & {};
type ObjectType<E extends ObjectEntries, W extends 'i' | 'o'> = Flat<
  { -readonly [K in Exclude<keyof E, OptionalKeys<E>>]: NonNullable<E[K]['t']>[W] } & {
    -readonly [K in OptionalKeys<E>]?: NonNullable<E[K]['t']>[W];
  }
>;
type ObjectSchema<E extends ObjectEntries> = GenericSchema<ObjectType<E, 'i'>, ObjectType<E, 'o'>>;

const schema = /* @__NO_SIDE_EFFECTS__ */ <I, O = I>(r: Run): GenericSchema<I, O> => ({ r });

/** Run `s` on a child value and prefix the issues it adds with `key`. */
function child(s: GenericSchema<unknown, unknown>, value: unknown, issues: Issue[], key: string | number): unknown {
  const from = issues.length;
  const out = s.r(value, issues);
  for (let i = from; i < issues.length; i++) issues[i]!.path.unshift(key);
  return out;
}

const fail = (issues: Issue[], message: string, path: (string | number)[] = []): Fail => (issues.push({ path, message }), FAIL);
const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** A schema that accepts what `test` accepts, unchanged. */
export const custom = /* @__NO_SIDE_EFFECTS__ */ <T>(test: (value: unknown) => boolean, message = 'invalid value'): GenericSchema<T> =>
  schema((value, issues) => (test(value) ? value : fail(issues, message)));

export const string = /* @__NO_SIDE_EFFECTS__ */ (message = 'expected a string') => custom<string>((x) => typeof x === 'string', message);
export const number = /* @__NO_SIDE_EFFECTS__ */ (message = 'expected a number') => custom<number>((x) => typeof x === 'number' && !Number.isNaN(x), message);
export const boolean = /* @__NO_SIDE_EFFECTS__ */ (message = 'expected a boolean') => custom<boolean>((x) => typeof x === 'boolean', message);
export const unknown = /* @__NO_SIDE_EFFECTS__ */ () => custom<unknown>(() => true);
export const literal = /* @__NO_SIDE_EFFECTS__ */ <const T extends string | number | boolean>(literal: T, message = `expected ${JSON.stringify(literal)}`) =>
  custom<T>((x) => x === literal, message);
export const picklist = /* @__NO_SIDE_EFFECTS__ */ <const T extends readonly (string | number)[]>(options: T, message = `expected one of ${options.join(', ')}`) =>
  custom<T[number]>((x) => options.includes(x as T[number]), message);

/** undefined, or what `wrapped` accepts. */
export const optional = /* @__NO_SIDE_EFFECTS__ */ <S extends GenericSchema<any, any>>(wrapped: S): GenericSchema<InferInput<S> | undefined, InferOutput<S> | undefined> & { o: true } => ({
  r: (value, issues) => (value === undefined ? value : wrapped.r(value, issues)),
  o: true,
});

function objectRun(entries: ObjectEntries, message: string, strict: boolean): Run {
  return (input, issues) => {
    if (!input || typeof input !== 'object') return fail(issues, message);
    const source = input as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let typed = true;
    for (const key in entries) {
      const s = entries[key]!;
      if (key in source) {
        const v = child(s, source[key], issues, key);
        if (v === FAIL) typed = false;
        out[key] = v;
      } else if (!s.o) {
        fail(issues, message, [key]);
        typed = false;
      }
    }
    if (strict) {
      for (const key in source) {
        if (!own(entries, key)) {
          fail(issues, message, [key]);
          typed = false;
          break;
        }
      }
    }
    return typed ? out : FAIL;
  };
}

/** An object with these keys (missing optional keys stay missing); other keys are dropped from the output. */
export const object = /* @__NO_SIDE_EFFECTS__ */ <E extends ObjectEntries>(entries: E, message = 'expected an object'): ObjectSchema<E> => schema(objectRun(entries, message, false));
/** Like object(), but another key is an issue (at that key, with `message`). */
export const strictObject = /* @__NO_SIDE_EFFECTS__ */ <E extends ObjectEntries>(entries: E, message = 'expected an object'): ObjectSchema<E> =>
  schema(objectRun(entries, message, true));

/** An array whose every item `item` accepts (issues at the item's index). */
export const array = /* @__NO_SIDE_EFFECTS__ */ <S extends GenericSchema<any, any>>(item: S, message = 'expected an array'): GenericSchema<InferInput<S>[], InferOutput<S>[]> =>
  schema((input, issues) => {
    if (!Array.isArray(input)) return fail(issues, message);
    let typed = true;
    const out = input.map((v, i) => {
      const o = child(item, v, issues, i);
      if (o === FAIL) typed = false;
      return o;
    });
    return typed ? out : FAIL;
  });

type TupleType<T extends readonly GenericSchema<any, any>[], W extends 'i' | 'o'> = { -readonly [K in keyof T]: NonNullable<T[K]['t']>[W] };
/** An array of exactly these items. */
export const strictTuple = /* @__NO_SIDE_EFFECTS__ */ <const T extends readonly GenericSchema<any, any>[]>(items: T, message = 'expected a tuple'): GenericSchema<TupleType<T, 'i'>, TupleType<T, 'o'>> =>
  schema((input, issues) => {
    if (!Array.isArray(input)) return fail(issues, message);
    let typed = true;
    const out = items.map((s, i) => {
      const o = child(s, input[i], issues, i);
      if (o === FAIL) typed = false;
      return o;
    });
    if (input.length > items.length) {
      fail(issues, message, [items.length]);
      typed = false;
    }
    return typed ? out : FAIL;
  });

/**
 * An object used as a map: every own key checked by `key`, every value by `value`. Like valibot, the
 * keys `__proto__`, `prototype` and `constructor` are skipped (and so dropped from the output).
 */
export const record = /* @__NO_SIDE_EFFECTS__ */ <K extends GenericSchema<string, string>, V extends GenericSchema<any, any>>(
  key: K,
  value: V,
  message = 'expected an object',
): GenericSchema<Record<InferInput<K>, InferInput<V>>, Record<InferOutput<K>, InferOutput<V>>> =>
  schema((input, issues) => {
    if (!input || typeof input !== 'object') return fail(issues, message);
    const source = input as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let typed = true;
    for (const k in source) {
      if (!own(source, k) || k === '__proto__' || k === 'prototype' || k === 'constructor') continue;
      const from = issues.length;
      if (key.r(k, issues) === FAIL) typed = false;
      for (let i = from; i < issues.length; i++) issues[i]!.path = [k];
      const v = child(value, source[k], issues, k);
      if (v === FAIL) typed = false;
      out[k] = v;
    }
    return typed ? out : FAIL;
  });

type PipeItem = GenericSchema<any, any> | Action<any>;
/**
 * The first item, then each next one: a schema runs on the output so far (skipped, value untyped,
 * once any issue was found); an action checks the value while it is typed.
 */
export function pipe<A extends GenericSchema<any, any>>(a: A, ...actions: Action<InferOutput<A>>[]): A;
export function pipe<A extends GenericSchema<any, any>, B extends GenericSchema<any, any>>(
  a: A,
  b: B,
  ...actions: Action<InferOutput<B>>[]
): GenericSchema<InferInput<A>, InferOutput<B>>;
/* @__NO_SIDE_EFFECTS__ */
export function pipe(...items: PipeItem[]): GenericSchema<unknown, unknown> {
  return schema((value, issues) => {
    const from = issues.length;
    let v = value;
    for (const item of items) {
      if ('a' in item) {
        if (v !== FAIL) item.a(v, issues);
      } else {
        if (issues.length > from) return FAIL;
        v = item.r(v, issues);
      }
    }
    return v;
  });
}

/** A validation action: an issue with `message` when `test` returns false. */
export const check = /* @__NO_SIDE_EFFECTS__ */ <T>(test: (value: T) => boolean, message = 'invalid value'): Action<T> => ({
  a: (value, issues) => {
    if (!test(value)) fail(issues, message);
  },
});
export const regex = /* @__NO_SIDE_EFFECTS__ */ (pattern: RegExp, message = `expected to match ${pattern}`) => check<string>((s) => pattern.test(s), message);
export const integer = /* @__NO_SIDE_EFFECTS__ */ (message = 'expected an integer') => check<number>(Number.isInteger, message);
export const safeInteger = /* @__NO_SIDE_EFFECTS__ */ (message = 'expected a safe integer') => check<number>(Number.isSafeInteger, message);
export const minValue = /* @__NO_SIDE_EFFECTS__ */ (min: number, message = `expected >= ${min}`) => check<number>((n) => n >= min, message);
export const maxValue = /* @__NO_SIDE_EFFECTS__ */ (max: number, message = `expected <= ${max}`) => check<number>((n) => n <= max, message);
export const maxLength = /* @__NO_SIDE_EFFECTS__ */ (max: number, message = `expected at most ${max} characters`) => check<string>((s) => s.length <= max, message);

/** Report the issues of `action` at `path` (keys below the value it checks) instead of at the value. */
export const forward = /* @__NO_SIDE_EFFECTS__ */ <T>(action: Action<T>, path: readonly (string | number)[]): Action<T> => ({
  a: (value, issues) => {
    const from = issues.length;
    action.a(value, issues);
    for (let i = from; i < issues.length; i++) issues[i]!.path.push(...path);
  },
});

export type SafeParseResult<S extends GenericSchema<any, any>> =
  | { success: true; output: InferOutput<S>; issues?: undefined }
  | { success: false; output?: undefined; issues: Issue[] };

/** Run a schema: its output, or every issue found. */
export function safeParse<S extends GenericSchema<any, any>>(s: S, value: unknown): SafeParseResult<S> {
  const issues: Issue[] = [];
  const output = s.r(value, issues);
  return issues.length ? { success: false, issues } : { success: true, output: output as InferOutput<S> };
}

/** The issue's path as dotted keys (`messages.1.role`), '' at the root — exactly valibot's getDotPath. */
export const getDotPath = (issue: Issue): string => issue.path.reduce<string>((p, k) => (p ? `${p}.${k}` : `${k}`), '');

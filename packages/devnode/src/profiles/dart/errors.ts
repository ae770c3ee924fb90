import { DevnodeError } from '../../errors.js';

/**
 * Anything a Dart route throws becomes a 500 whose body is `e.toString()` (Alfred, PORTALS.md §2.9).
 * Handlers throw this with the exact text the Dart code throws (a string, or the Dart error's
 * `toString()`), and the profile writes it verbatim.
 */
export class DartThrown extends DevnodeError {
  override name = 'DartThrown';
  constructor(text: string, status = 500) {
    super(status, 'DART_THROWN', text);
  }
}

export const thrown = (text: string) => new DartThrown(text);

/** `x!` on a null value. */
export const NULL_CHECK = 'Null check operator used on a null value';

/** Dart's runtime type name of a value decoded by `jsonDecode` (for implicit-cast error texts). */
export function dartTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'Null';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (Array.isArray(v)) return 'List<dynamic>';
  if (v instanceof Uint8Array) return 'Uint8List';
  return '_Map<String, dynamic>';
}

/** The TypeError text of an implicit downcast (`String s = dynamicValue;`). */
export function castError(v: unknown, to: string, inTypeCast = false): DartThrown {
  return thrown(`type '${dartTypeName(v)}' is not a subtype of type '${to}'${inTypeCast ? ' in type cast' : ''}`);
}

/** `value!` where Dart then assigns it to a `String`. */
export function requireString(v: unknown): string {
  if (v === null || v === undefined) throw thrown(NULL_CHECK);
  if (typeof v !== 'string') throw castError(v, 'String');
  return v;
}

/** `List.sublist(start, end)` bounds error. */
export function sublistRangeError(start: number, end: number, length: number): DartThrown {
  if (start > length) return thrown(`RangeError (start): Invalid value: Not in inclusive range 0..${length}: ${start}`);
  return thrown(`RangeError (end): Invalid value: Not in inclusive range ${start}..${length}: ${end}`);
}

/** `list[0]` on an empty list. */
export const EMPTY_INDEX_ERROR = 'RangeError (index): Invalid value: Valid value range is empty: 0';

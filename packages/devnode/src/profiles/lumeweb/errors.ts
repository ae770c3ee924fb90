import { DevnodeError } from '../../errors.js';
import type { Reply } from '../../http/reply.js';

/**
 * An error LumeWeb answers with Go's `http.Error`: plain text `<message>\n`, `X-Content-Type-Options:
 * nosniff` (HU httputil.go:47-50). `message` is the S5Error text: `<default message>[: <cause>]`.
 */
export class GoHttpError extends DevnodeError {
  override name = 'GoHttpError';
  constructor(status: number, message: string) {
    super(status, 'LUMEWEB_HTTP_ERROR', message);
  }
}

/** S5Error default messages (LW internal/api/errors.go). */
export const MSG = {
  invalidFileFormat: 'Invalid file format provided.',
  unsupportedFileType: 'Unsupported file type.',
  storageFailed: 'Storage operation failed unexpectedly.',
  notFound: 'The specified resource was not found.',
  limitExceeded: 'The operation exceeded the resource limit.',
  integrity: 'Data integrity check failed.',
  invalidOperation: 'Invalid or unsupported operation requested.',
  authenticationFailed: 'Authentication failed.',
  authorizationFailed: 'Authorization failed or insufficient permissions.',
  uploadFailed: 'File upload failed due to an internal error.',
} as const;

/** `NewS5Error(key, err)` rendered: the message, then `: cause` when there is a cause. */
export const s5Error = (status: number, message: string, cause?: string) =>
  new GoHttpError(status, cause === undefined ? message : `${message}: ${cause}`);

export function goErrorReply(status: number, message: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body: `${message}\n`,
  };
}

/** `ctx.Encode(v)`: tab-indented JSON with a trailing newline (HU httputil.go:26-39). */
export function goJson(value: unknown, headers: Record<string, string> = {}): Reply {
  return { status: 200, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value, null, '\t') + '\n' };
}

/** Go's `base64.RawURLEncoding.DecodeString`: strict alphabet, no padding. */
export function goRawUrlDecode(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) {
    if (!/[A-Za-z0-9\-_]/.test(s[i]!)) throw new GoDecodeError(`illegal base64 data at input byte ${i}`);
  }
  if (s.length % 4 === 1) throw new GoDecodeError(`illegal base64 data at input byte ${s.length - 1}`);
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

export class GoDecodeError extends Error {}

/**
 * `json.NewDecoder(body).Decode(&T)` for a struct of string/uint64 fields (Go matches keys
 * case-insensitively and ignores unknown ones). Failure → 400 `couldn't decode request type (*api.T): …`.
 */
export function goDecodeStruct(
  body: string,
  typeName: string,
  fields: Record<string, 'string' | 'uint64'>,
): Record<string, string | number> {
  const fail = (why: string) => new GoHttpError(400, `couldn't decode request type (*api.${typeName}): ${why}`);
  let value: unknown;
  if (body.trim() === '') throw fail('EOF');
  try {
    value = JSON.parse(body);
  } catch {
    throw fail(`invalid character '${body.trim()[0]}' looking for beginning of value`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? null : Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : 'number';
    if (kind === null) return Object.fromEntries(Object.entries(fields).map(([k, t]) => [k, t === 'string' ? '' : 0]));
    throw fail(`json: cannot unmarshal ${kind} into Go value of type api.${typeName}`);
  }
  const out: Record<string, string | number> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [name, type] of Object.entries(fields)) {
    const found = entries.find(([k]) => k === name) ?? entries.find(([k]) => k.toLowerCase() === name.toLowerCase());
    const v = found?.[1];
    if (v === undefined || v === null) {
      out[name] = type === 'string' ? '' : 0;
      continue;
    }
    const goKind = typeof v === 'string' ? 'string' : typeof v === 'number' ? `number ${v}` : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'array' : 'object';
    const mismatch = () => fail(`json: cannot unmarshal ${goKind} into Go struct field ${typeName}.${name} of type ${type}`);
    if (type === 'string') {
      if (typeof v !== 'string') throw mismatch();
      out[name] = v;
    } else {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw mismatch();
      out[name] = v;
    }
  }
  return out;
}

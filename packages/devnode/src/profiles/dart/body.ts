import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { castError, NULL_CHECK, thrown } from './errors.js';

/** Bodies the devnode buffers for JSON routes; Dart has no limit, this only bounds our memory. */
const JSON_BODY_LIMIT = 1024 * 1024;

interface ContentType {
  primary: string;
  sub: string;
  mime: string;
  charset?: string;
}

/** Dart's `headers.contentType` (undefined when absent). */
export function contentType(req: IncomingMessage): ContentType | undefined {
  const raw = req.headers['content-type'];
  if (!raw) return undefined;
  const [mimePart, ...params] = raw.split(';');
  const mime = mimePart!.trim().toLowerCase();
  const [primary = '', sub = ''] = mime.split('/');
  const charset = params.map((p) => p.trim().split('=')).find(([k]) => k?.toLowerCase() === 'charset')?.[1];
  return { primary, sub, mime, ...(charset !== undefined && { charset: charset.replace(/"/g, '').toLowerCase() }) };
}

/**
 * Read the whole body; beyond `keep` bytes it is drained, not buffered (`over` is then true). Dart
 * reads every body to the end before a size check, so we do too.
 */
export function readAll(req: IncomingMessage, keep: number): Promise<{ bytes: Uint8Array; size: number; over: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= keep) chunks.push(c);
    });
    req.on('end', () => resolve({ bytes: new Uint8Array(Buffer.concat(chunks)), size, over: size > keep }));
    req.on('error', (err) => reject(thrown(`HttpException: Connection closed while receiving data (${err.message})`)));
  });
}

/**
 * The offset of the first byte where a strict UTF-8 decoder fails, or -1 (Dart's `utf8.decode`
 * reports the offset in its FormatException).
 */
function invalidUtf8Offset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const x = b[i]!;
    const n = x < 0x80 ? 0 : x >= 0xc2 && x < 0xe0 ? 1 : x >= 0xe0 && x < 0xf0 ? 2 : x >= 0xf0 && x < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** `utf8.decode(bytes)` (strict) as Dart does it. */
export function dartUtf8Decode(bytes: Uint8Array): string {
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) throw thrown(`FormatException: Invalid UTF-8 byte (at offset ${bad})`);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Decode text as Alfred does with the part's charset (utf-8 unless latin1/ascii is named). */
function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  if (charset === 'iso-8859-1' || charset === 'latin1' || charset === 'us-ascii' || charset === 'ascii') {
    return Buffer.from(bytes).toString('latin1');
  }
  return dartUtf8Decode(bytes);
}

/**
 * Alfred's `req.bodyAsJsonMap` (PORTALS.md §2.1 "POST body"): JSON needs `Content-Type:
 * application/json`; form-urlencoded gives a map of strings; every other body is a String or
 * Uint8List and the cast to Map fails with Dart's TypeError text.
 */
export async function dartJsonMap(req: IncomingMessage): Promise<Record<string, unknown>> {
  const ct = contentType(req);
  const { bytes, over } = await readAll(req, JSON_BODY_LIMIT);
  if (over) throw thrown('devnode: JSON body above 1 MiB (Dart has no limit; the devnode bounds its memory)');
  const notAMap = (v: unknown) => castError(v, 'Map<dynamic, dynamic>', true);
  if (!ct) throw notAMap(bytes);
  if (ct.primary === 'text') throw notAMap(decodeText(bytes, ct.charset));
  if (ct.mime === 'application/json') {
    const textBody = dartUtf8Decode(bytes);
    let value: unknown;
    try {
      value = JSON.parse(textBody);
    } catch {
      throw thrown(
        textBody.trim() === ''
          ? `FormatException: Unexpected end of input (at character ${textBody.length + 1})`
          : 'FormatException: Unexpected character (at character 1)',
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notAMap(value);
    return value as Record<string, unknown>;
  }
  if (ct.mime === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(Buffer.from(bytes).toString('latin1')));
  }
  if (ct.mime === 'multipart/form-data') {
    throw thrown('devnode: multipart bodies on JSON routes are not emulated (send application/json)');
  }
  throw notAMap(bytes);
}

/** What `body['file']` is after Alfred parsed a multipart upload. */
type FilePart = { kind: 'file'; bytes: Uint8Array } | { kind: 'field'; text: boolean } | undefined;

/**
 * `POST /s5/upload` with `multipart/form-data` (PORTALS.md §2.3): the part named `file` must carry a
 * filename; a part with no Content-Type, `text/*` or `application/json` is decoded as text and turned
 * back into code units (`String.codeUnits` → `Uint8List.fromList` keeps the low 8 bits), so binary
 * bytes come out corrupted or the request fails on invalid UTF-8. Other parts types keep their bytes.
 * Returns the bytes and the body size read (for the limit check, done after reading as Dart does).
 */
export function dartMultipartFile(req: IncomingMessage, keep: number): Promise<{ bytes: Uint8Array; over: boolean }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: keep + 1, files: 64, fields: 64, parts: 128 } });
    } catch {
      req.resume();
      reject(thrown(NULL_CHECK)); // `contentType.parameters['boundary']!`
      return;
    }
    let file: FilePart;
    let failure: unknown;
    let over = false;
    const parts: Promise<void>[] = [];
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= keep) chunks.push(c);
      });
      stream.on('limit', () => (over = true));
      stream.on('error', (e: unknown) => (failure ??= e));
      parts.push(
        new Promise<void>((done) =>
          stream.on('close', () => {
            if (name === 'file') {
              const raw = new Uint8Array(Buffer.concat(chunks));
              const mime = info.mimeType.toLowerCase();
              const isText = mime.startsWith('text/') || mime === 'application/json';
              try {
                file = { kind: 'file', bytes: isText ? codeUnitsOf(decodeText(raw, undefined)) : raw };
              } catch (err) {
                failure ??= err;
              }
            }
            done();
          }),
        ),
      );
    });
    parser.on('field', (name, _value, info) => {
      if (name !== 'file') return;
      const mime = info.mimeType.toLowerCase();
      file = { kind: 'field', text: mime.startsWith('text/') || mime === 'application/json' };
    });
    parser.on('error', (err) => {
      req.unpipe(parser);
      req.resume();
      reject(thrown(`HttpException: ${(err as Error).message}`));
    });
    parser.on('close', () => {
      void Promise.all(parts).then(() => {
        if (failure) return reject(failure instanceof Error ? failure : thrown(String(failure)));
        if (over) return resolve({ bytes: new Uint8Array(), over: true });
        if (!file) return reject(thrown("type 'Null' is not a subtype of type 'HttpBodyFileUpload'"));
        if (file.kind === 'field') {
          return reject(thrown(`type '${file.text ? 'String' : 'Uint8List'}' is not a subtype of type 'HttpBodyFileUpload'`));
        }
        resolve({ bytes: file.bytes, over: false });
      });
    });
    req.on('error', () => {
      req.unpipe(parser);
      parser.destroy();
      reject(thrown('HttpException: Connection closed while receiving data'));
    });
    req.pipe(parser);
  });
}

/** `Uint8List.fromList(string.codeUnits)`: UTF-16 code units truncated to their low byte. */
function codeUnitsOf(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

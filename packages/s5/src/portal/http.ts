import { PortalUnavailableError, ResponseTooLargeError, S5ChatError, TimeoutError, ValidationError } from '../errors.js';
import { throwForAnswer, type AnswerContext } from './answers.js';
import { abortReason } from '../resilience/sleep.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

export const CURRENT_REVISION_HEADER = 'x-s5-current-revision';

/**
 * One HTTP exchange with its own time budget: the timer covers the response *and* reading its body.
 * Maps failures to typed errors: our timer → TimeoutError, the caller's signal → its abort reason
 * (AbortError), a network failure → PortalUnavailableError. Does not look at the status.
 */
export async function exchange(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined; maxBytes?: number | undefined },
): Promise<HttpResult> {
  const controller = new AbortController();
  const timeout = new TimeoutError(`Portal did not answer within ${opts.timeoutMs} ms.`, {
    timeoutMs: opts.timeoutMs,
    details: `${init.method ?? 'GET'} ${url}`,
  });
  const timer = setTimeout(() => controller.abort(timeout), opts.timeoutMs);
  const { signal, release } = linkSignals(controller, opts.signal);
  try {
    const res = await fetchImpl(url, { ...init, signal });
    const body = await readBodyLimited(res, opts.maxBytes ?? Infinity, `${init.method ?? 'GET'} ${url}`);
    return { status: res.status, headers: res.headers, body };
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    if (error instanceof S5ChatError) throw error;
    throw new PortalUnavailableError('Could not reach the portal.', {
      details: `${init.method ?? 'GET'} ${url}: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    release();
  }
}

/**
 * Read a response body, failing with ResponseTooLargeError as soon as it passes `maxBytes` so a
 * hostile portal cannot make us buffer an unbounded body. Streams through `res.body` where the
 * platform has it (the read is cancelled at the limit); otherwise checks Content-Length first and
 * the buffered size after.
 */
async function readBodyLimited(res: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const tooLarge = (got: string) => new ResponseTooLargeError(maxBytes, { details: `${what}: ${got}` });
  const declared = res.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    void res.body?.cancel().catch(() => undefined);
    throw tooLarge(`content-length ${declared.trim()}`);
  }
  const reader = res.body?.getReader();
  if (!reader) {
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length > maxBytes) throw tooLarge(`${body.length} bytes`);
    return body;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge(`more than ${maxBytes} bytes streamed`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/**
 * One signal that aborts on our timeout or on the caller's signal. AbortSignal.any links them without
 * adding a listener to the caller's signal: the retry policy hands every call the same long-lived
 * signal, and one listener per in-flight call made Node print MaxListenersExceededWarning past ten.
 * Older browsers without AbortSignal.any get the listener (removed again in `release`).
 */
function linkSignals(controller: AbortController, caller: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  if (!caller) return { signal: controller.signal, release: () => undefined };
  if (typeof AbortSignal.any === 'function') {
    const signal = AbortSignal.any([caller, controller.signal]);
    return { signal, release: () => undefined };
  }
  const onCallerAbort = () => controller.abort(caller.reason);
  if (caller.aborted) onCallerAbort();
  else caller.addEventListener('abort', onCallerAbort, { once: true });
  return { signal: controller.signal, release: () => caller.removeEventListener('abort', onCallerAbort) };
}

export function bodyText(result: HttpResult): string {
  return new TextDecoder().decode(result.body);
}

/** A short, log-safe excerpt of the server's answer for error details. */
function excerpt(result: HttpResult): string {
  const text = bodyText(result).trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Current revision from the `x-s5-current-revision` header or a JSON body, when the node sends one. */
export function parseCurrentRevision(result: HttpResult): number | undefined {
  const header = result.headers.get(CURRENT_REVISION_HEADER);
  if (header !== null && /^\d+$/.test(header.trim())) {
    const n = Number(header.trim());
    if (Number.isSafeInteger(n)) return n;
  }
  try {
    const json = JSON.parse(bodyText(result)) as Record<string, unknown>;
    const candidates = [json.currentRevision, json.current_revision, (json.current as { revision?: unknown } | undefined)?.revision];
    for (const c of candidates) if (typeof c === 'number' && Number.isSafeInteger(c) && c >= 0) return c;
  } catch {
    /* plain-text body (Dart, LumeWeb): no revision available */
  }
  return undefined;
}

/** Throw the typed error for a non-2xx answer (classification in answers.ts). */
export function throwForStatus(result: HttpResult, ctx: AnswerContext): never {
  const currentRevision = parseCurrentRevision(result);
  throwForAnswer(result.status, excerpt(result), { ...ctx, ...(currentRevision !== undefined ? { currentRevision } : {}) });
}

export function parseJsonBody(result: HttpResult, what: string): unknown {
  try {
    return JSON.parse(bodyText(result));
  } catch (cause) {
    throw new ValidationError([{ path: '', message: `${what}: response is not JSON` }], { cause, details: excerpt(result) });
  }
}

/**
 * A Jepsen-style history recorder and set-full checker for chat logs.
 *
 * Every operation a test client performs is recorded as an *invoke* followed by exactly one
 * completion: `ok` (the SDK acknowledged it: its messages must survive), `fail` (the SDK said,
 * with a typed error, that nothing was written: its messages must NOT appear) or `unknown`
 * (it may or may not have landed: it may appear, but at most once). The checker then judges the
 * history against final reads of the store, the way Jepsen's set-full checker judges adds:
 *
 * - lost        an acknowledged message missing from the final read
 * - duplicates  a message id present more than once in one conversation
 * - phantoms    a message id that no operation ever carried (the store invented it)
 * - misplaced   a message present in a conversation other than the one it was sent to
 * - unexpected  a message carried only by failed operations, yet present
 * - altered     a message whose content / role / timestamp matches no version that was sent
 * - misordered  adjacent messages out of (timestamp, id) order
 * - diverged    a replica (another device) whose read differs from the reference read
 *
 * Written by hand rather than taken from a library: the Jepsen/Elle checkers are Clojure and
 * there is no maintained JS port; the rules above are a few dozen lines and are themselves
 * tested in checker.test.ts (each rule is shown to fire).
 */

export type Outcome = 'ok' | 'fail' | 'unknown';

/** The facts the checker needs about a message a client sent. */
export interface SentMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  timestamp: number;
}

/** The facts the checker needs about a message read back from the store. */
export interface ReadMessage {
  id: string;
  role?: string;
  content: string;
  timestamp: number;
}

export interface OpRecord {
  /** Position in the history (invoke order). */
  index: number;
  /** Which client (device, process) performed it. */
  process: string;
  /** What it was: 'append', 'save', 'load', 'complete', ... */
  kind: string;
  conversationId: string;
  /** Messages this operation carries (would write if it lands). Reads carry none. */
  messages: SentMessage[];
  invokedAt: number;
  completedAt?: number;
  outcome?: Outcome;
  /** The typed error code when the outcome is `fail` or `unknown`. */
  errorCode?: string;
}

/** Failed-for-sure codes: the SDK guarantees nothing was written when it throws these. */
const DEFINITE_FAILURE_CODES = new Set(['VALIDATION']);

/**
 * Classifies an error thrown by an operation. Only errors that by contract mean "nothing was
 * written" count as `fail`; everything else (timeouts, portal errors, revision conflicts after
 * the retry budget, untyped errors) is `unknown`: a request may have reached the node before the
 * connection broke, so the write may have landed.
 */
export function classifyError(err: unknown): { outcome: Outcome; code: string } {
  const code = errorCode(err);
  return { outcome: DEFINITE_FAILURE_CODES.has(code) ? 'fail' : 'unknown', code };
}

/** The error's `code` when it is typed, else `UNTYPED:<name>` so reports show what leaked. */
export function errorCode(err: unknown): string {
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  const name = err instanceof Error ? err.name : typeof err;
  return `UNTYPED:${name}`;
}

export class History {
  private readonly records: OpRecord[] = [];
  private readonly clock: () => number;

  constructor(clock: () => number = () => performance.now()) {
    this.clock = clock;
  }

  /** Records an invocation; complete it with the returned handle. */
  invoke(process: string, kind: string, conversationId: string, messages: SentMessage[] = []) {
    const record: OpRecord = {
      index: this.records.length,
      process,
      kind,
      conversationId,
      messages: messages.map((m) => ({ id: m.id, role: m.role, content: m.content, timestamp: m.timestamp })),
      invokedAt: this.clock(),
    };
    this.records.push(record);
    const complete = (outcome: Outcome, code?: string) => {
      if (record.outcome) throw new Error(`op ${record.index} completed twice`);
      record.outcome = outcome;
      record.completedAt = this.clock();
      if (code !== undefined) record.errorCode = code;
    };
    return {
      record,
      ok: () => complete('ok'),
      fail: (code: string) => complete('fail', code),
      unknown: (code: string) => complete('unknown', code),
      /** Completes from a thrown error, classified by {@link classifyError}. */
      error: (err: unknown) => {
        const c = classifyError(err);
        complete(c.outcome, c.code);
      },
    };
  }

  /**
   * Runs `fn` as one recorded operation. Resolves to `fn`'s value on success and to `undefined`
   * when it threw (the error is recorded, not rethrown: under chaos, errors are data).
   */
  async run<T>(
    process: string,
    kind: string,
    conversationId: string,
    messages: SentMessage[],
    fn: () => Promise<T>,
  ): Promise<T | undefined> {
    const op = this.invoke(process, kind, conversationId, messages);
    try {
      const value = await fn();
      // A write parked in the outbox is not acknowledged: it may land later, or never.
      if ((value as { status?: unknown } | undefined)?.status === 'queued') op.unknown('QUEUED');
      else op.ok();
      return value;
    } catch (err) {
      op.error(err);
      return undefined;
    }
  }

  ops(): readonly OpRecord[] {
    return this.records;
  }
}

export type ConversationReads = ReadonlyMap<string, readonly ReadMessage[]>;

export interface CheckInput {
  history: readonly OpRecord[];
  /** The reference final read (e.g. from a fresh SDK instance), per conversation id. */
  final: ConversationReads;
  /** Further reads of the same conversations (other devices after flush) that must equal `final`. */
  replicas?: ReadonlyMap<string, ConversationReads>;
}

export interface CheckResult {
  valid: boolean;
  operations: number;
  ok: number;
  failed: number;
  unknown: number;
  /** Operations never completed (a hung promise): always a bug. */
  pending: number;
  /** Distinct message ids carried by at least one acknowledged operation. */
  acknowledged: number;
  /** Distinct message ids present in the final read. */
  present: number;
  lost: string[];
  duplicates: string[];
  phantoms: string[];
  misplaced: string[];
  unexpected: string[];
  altered: string[];
  misordered: string[];
  diverged: string[];
  /** Error codes seen on failed/unknown operations, with counts. */
  errorCodes: Record<string, number>;
}

/** Compares two messages the way the store must order them: by timestamp, then id (code units). */
export function compareMessages(a: { timestamp: number; id: string }, b: { timestamp: number; id: string }): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function check({ history, final, replicas }: CheckInput): CheckResult {
  // Every version of every message any operation carried, and where it was sent.
  const sent = new Map<string, { conversations: Set<string>; versions: SentMessage[]; outcomes: Set<Outcome> }>();
  let ok = 0;
  let failed = 0;
  let unknown = 0;
  let pending = 0;
  const errorCodes: Record<string, number> = {};
  for (const op of history) {
    if (op.outcome === 'ok') ok++;
    else if (op.outcome === 'fail') failed++;
    else if (op.outcome === 'unknown') unknown++;
    else pending++;
    if (op.errorCode) errorCodes[op.errorCode] = (errorCodes[op.errorCode] ?? 0) + 1;
    for (const m of op.messages) {
      let s = sent.get(m.id);
      if (!s) sent.set(m.id, (s = { conversations: new Set(), versions: [], outcomes: new Set() }));
      s.conversations.add(op.conversationId);
      s.versions.push(m);
      // A pending op is treated like an unknown one: it may have landed.
      s.outcomes.add(op.outcome ?? 'unknown');
    }
  }

  const lost: string[] = [];
  const duplicates: string[] = [];
  const phantoms: string[] = [];
  const misplaced: string[] = [];
  const unexpected: string[] = [];
  const altered: string[] = [];
  const misordered: string[] = [];
  const presentIds = new Set<string>();

  for (const [conversationId, messages] of final) {
    const seen = new Set<string>();
    messages.forEach((m, i) => {
      if (seen.has(m.id)) duplicates.push(`${conversationId}/${m.id}`);
      seen.add(m.id);
      presentIds.add(m.id);
      const s = sent.get(m.id);
      if (!s) {
        phantoms.push(`${conversationId}/${m.id}`);
      } else {
        if (!s.conversations.has(conversationId)) misplaced.push(`${conversationId}/${m.id}`);
        if (!s.outcomes.has('ok') && !s.outcomes.has('unknown')) unexpected.push(`${conversationId}/${m.id}`);
        const matches = s.versions.some(
          (v) =>
            v.content === m.content &&
            v.timestamp === m.timestamp &&
            (m.role === undefined || v.role === m.role),
        );
        if (!matches) altered.push(`${conversationId}/${m.id}`);
      }
      const prev = i > 0 ? messages[i - 1] : undefined;
      if (prev && compareMessages(prev, m) > 0) misordered.push(`${conversationId}@${i}:${prev.id}>${m.id}`);
    });
  }

  let acknowledged = 0;
  const lostKeys = new Set<string>();
  const idsByConversation = new Map<string, Set<string>>();
  for (const [conversationId, messages] of final) idsByConversation.set(conversationId, new Set(messages.map((m) => m.id)));
  for (const op of history) {
    if (op.outcome !== 'ok') continue;
    const read = idsByConversation.get(op.conversationId);
    for (const m of op.messages) {
      if (!read?.has(m.id)) {
        lostKeys.add(`${op.conversationId}/${m.id}`);
      }
    }
  }
  lost.push(...lostKeys);
  for (const [, s] of sent) if (s.outcomes.has('ok')) acknowledged++;

  const diverged: string[] = [];
  for (const [replica, reads] of replicas ?? []) {
    for (const [conversationId, reference] of final) {
      const other = reads.get(conversationId);
      if (!other || fingerprint(other) !== fingerprint(reference)) {
        diverged.push(`${replica}:${conversationId}`);
      }
    }
  }

  const valid =
    pending === 0 &&
    [lost, duplicates, phantoms, misplaced, unexpected, altered, misordered, diverged].every((l) => l.length === 0);
  return {
    valid,
    operations: history.length,
    ok,
    failed,
    unknown,
    pending,
    acknowledged,
    present: presentIds.size,
    lost,
    duplicates,
    phantoms,
    misplaced,
    unexpected,
    altered,
    misordered,
    diverged,
    errorCodes,
  };
}

function fingerprint(messages: readonly ReadMessage[]): string {
  return JSON.stringify(messages.map((m) => [m.id, m.role ?? null, m.timestamp, m.content]));
}

/** One line for the CI log; `extra` adds run-specific figures (retries, conflicts, seed, ...). */
export function summarize(label: string, r: CheckResult, extra: Record<string, string | number> = {}): string {
  const figures: Record<string, string | number> = {
    operations: r.operations,
    ok: r.ok,
    fail: r.failed,
    unknown: r.unknown,
    acknowledged: r.acknowledged,
    present: r.present,
    lost: r.lost.length,
    duplicates: r.duplicates.length,
    phantoms: r.phantoms.length,
    altered: r.altered.length,
    misordered: r.misordered.length,
    diverged: r.diverged.length,
    ...extra,
  };
  const body = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `[${label}] ${r.valid ? 'PASS' : 'FAIL'} ${body}`;
}

/** A short explanation of what went wrong, for assertion messages (first few items per rule). */
export function explain(r: CheckResult, max = 5): string {
  const parts: string[] = [];
  const add = (name: string, list: string[]) => {
    if (list.length) parts.push(`${name} (${list.length}): ${list.slice(0, max).join(', ')}`);
  };
  add('lost', r.lost);
  add('duplicates', r.duplicates);
  add('phantoms', r.phantoms);
  add('misplaced', r.misplaced);
  add('unexpected', r.unexpected);
  add('altered', r.altered);
  add('misordered', r.misordered);
  add('diverged', r.diverged);
  if (r.pending) parts.push(`pending operations: ${r.pending}`);
  if (Object.keys(r.errorCodes).length) parts.push(`error codes: ${JSON.stringify(r.errorCodes)}`);
  return parts.join('\n') || 'ok';
}

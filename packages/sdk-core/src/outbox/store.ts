import type { Op } from '../ops.js';

/** One write kept until the portal has it. JSON-serialisable: it is what the stores persist. */
export interface OutboxRecord {
  v: 1;
  /** Idempotency key of the write (WriteOptions.operationId when given); replays pass it again. */
  operationId: string;
  /** Enqueue order (Date.now()·1000 + a counter): one conversation's records are sent in this order. */
  seq: number;
  /** Whose write this is (a hash of the identity's index key): one store may serve several identities. */
  owner: string;
  conversationId: string;
  /** The normalized operation, message ids and timestamps included, so a replay is the same write. */
  op: Op;
  encrypted: boolean;
  queuedAt: number;
  /** Send attempts so far (across sessions). */
  attempts: number;
}

/**
 * Where queued writes live until they are durable. Implementations: {@link MemoryOutboxStore},
 * FileOutboxStore (Node), IndexedDbOutboxStore (browsers), or the app's own (e.g. React Native
 * AsyncStorage). `put` must be durable when it resolves; `list` may return records in any order.
 */
export interface OutboxStore {
  list(): Promise<OutboxRecord[]>;
  put(record: OutboxRecord): Promise<void>;
  delete(operationId: string): Promise<void>;
}

/** In memory: survives nothing but a portal outage within this session (the default where nothing persists). */
export class MemoryOutboxStore implements OutboxStore {
  readonly #records = new Map<string, OutboxRecord>();
  async list(): Promise<OutboxRecord[]> {
    return [...this.#records.values()].map((r) => structuredClone(r));
  }
  async put(record: OutboxRecord): Promise<void> {
    this.#records.set(record.operationId, structuredClone(record));
  }
  async delete(operationId: string): Promise<void> {
    this.#records.delete(operationId);
  }
}

/** A record read back from storage: reject anything that is not one (a corrupt file, another app's key). */
export function isOutboxRecord(x: unknown): x is OutboxRecord {
  const r = x as Partial<OutboxRecord> | null;
  return (
    !!r &&
    r.v === 1 &&
    typeof r.operationId === 'string' &&
    typeof r.seq === 'number' &&
    typeof r.owner === 'string' &&
    typeof r.conversationId === 'string' &&
    typeof r.op === 'object' &&
    r.op !== null &&
    typeof (r.op as { kind?: unknown }).kind === 'string' &&
    typeof r.encrypted === 'boolean'
  );
}

/**
 * The working copy one write builds from the stored state: copy-on-write messages on top of the
 * stored map, metadata with hybrid clocks, and the bookkeeping applyOps reports. Pure, no I/O.
 */
import { ValidationError } from './errors.js';
import { deleteMetadataKey, maxClockTime, mergeMessageInto, mergeMetadataKey, nextHybridTime, type MetadataState } from './merge.js';
import type { ApplyContext, ConversationState } from './ops.js';
import type { Message } from './schemas.js';
import type { SegmentRef } from './layout/head.js';

export class Draft {
  exists: boolean;
  deleted: boolean;
  deletedAt: number | undefined;
  epoch: string;
  createdAt: number;
  updatedAt: number;
  metadata: MetadataState;
  segments: SegmentRef[];
  reset = false;
  created = false;
  deletedNow = false;
  keptForeign = false;
  compacted = 0;
  /** Changes made so far (any op); `changed` ⇔ > 0. */
  mutations = 0;
  /** A user operation (not maintenance) changed something in this write. */
  userChanged = false;
  /** Copy-on-write view of the messages: `changes` on top of the stored map (ignored after a reset). */
  changes = new Map<string, Message>();
  count: number;
  /** Device logs listed in the head: log id → cut pointer ('' = none). Kept across resets. */
  logs: Record<string, string>;

  constructor(
    readonly state: ConversationState,
    readonly ctx: ApplyContext,
  ) {
    this.exists = state.exists;
    this.deleted = state.deleted;
    this.deletedAt = state.deletedAt;
    this.epoch = state.epoch;
    this.createdAt = state.createdAt;
    this.updatedAt = state.updatedAt;
    this.metadata = { values: { ...state.metadata.values }, clocks: { ...state.metadata.clocks } };
    this.segments = [...state.segments];
    this.count = state.messages.size;
    this.logs = { ...(state.logs ?? {}) };
  }

  get changed(): boolean {
    return this.mutations > 0;
  }

  mark(): void {
    this.mutations++;
  }

  /** Record a change made at `at` (moves updatedAt forward). */
  touch(at: number): void {
    this.mark();
    this.updatedAt = Math.max(this.updatedAt, at);
  }

  get(id: string): Message | undefined {
    return this.changes.get(id) ?? (this.reset ? undefined : this.state.messages.get(id));
  }

  /** Add a message or a newer version (merge rules); true when it changed the draft. */
  put(m: Message): boolean {
    const current = this.get(m.id);
    if (current === undefined) {
      this.changes.set(m.id, m);
      this.count++;
      return true;
    }
    const probe = new Map([[m.id, current]]);
    if (!mergeMessageInto(probe, m)) return false;
    this.changes.set(m.id, m);
    return true;
  }

  ensureExists(at: number, createdHint?: number): void {
    if (this.exists) return;
    if (!this.epoch) this.epoch = this.ctx.newEpoch();
    this.exists = true;
    this.deleted = false;
    this.deletedAt = undefined;
    this.createdAt = createdHint !== undefined ? Math.min(createdHint, at) : at;
    this.updatedAt = at;
    this.created = true;
    this.mark();
  }

  /** A new epoch with no messages (overwrite, delete). Metadata clocks are kept by the callers. */
  startFresh(): void {
    this.reset = true;
    this.changes = new Map();
    this.count = 0;
    this.segments = [];
    this.epoch = this.ctx.newEpoch();
  }

  wouldExceed(messages: Message[]): boolean {
    let extra = 0;
    for (const m of messages) if (this.get(m.id) === undefined) extra++;
    return this.count + extra > this.ctx.limits.maxMessages;
  }

  tooMany(): ValidationError {
    return new ValidationError([{ path: 'messages', message: `over the limit of ${this.ctx.limits.maxMessages} messages` }]);
  }

  /** Hybrid time for a metadata change made at wall clock `at` after seeing this draft. */
  hybridTime(at: number): number {
    return nextHybridTime(at, maxClockTime(this.metadata.clocks));
  }

  setKey(key: string, value: unknown, t: number): boolean {
    return mergeMetadataKey(this.metadata, key, value, [t, this.ctx.deviceId]);
  }

  deleteKey(key: string, t: number): boolean {
    return deleteMetadataKey(this.metadata, key, [t, this.ctx.deviceId]);
  }

  /**
   * Replace every metadata value by `values`, stamped `t`: keys not in `values` become tombstones,
   * so an older snapshot that still has them cannot bring them back.
   */
  replaceMetadata(values: Record<string, unknown>, t: number): void {
    for (const k of Object.keys(this.metadata.values)) if (!(k in values)) this.deleteKey(k, t);
    for (const [k, v] of Object.entries(values)) this.setKey(k, v, t);
  }
}

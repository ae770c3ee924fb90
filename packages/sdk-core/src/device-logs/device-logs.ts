/**
 * Device logs, wired for the StorageManager façade: one object with the few calls it makes.
 * Reads always merge the logs a main head lists (whatever this manager's own option); the option
 * only decides whether this manager's appends go to its own log.
 */
import { uuidv7 } from '../util/uuidv7.js';
import { RevisionConflictError, StaleSnapshotError } from '../errors.js';
import type { ConversationReader } from '../layout/reader.js';
import type { ConversationState, Op, SnapshotBase } from '../ops.js';
import type { RegistryView } from '../read/registry-view.js';
import type { StorageResult } from '../schemas.js';
import { checkLogId, logKeyId } from './ids.js';
import { DeviceLogReader, type MergedRead } from './log-reader.js';
import { foldOps } from './fold.js';
import { DeviceLogRouter } from './router.js';

export { isLogKeyId, logKeyId, parseKeyId } from './ids.js';
export type { LogView, MergedRead } from './log-reader.js';

/** `deviceLogs` option: true = on with a log id from `deviceId` (or random); or the log id to use. */
export type DeviceLogsOption = boolean | { logId?: string };

const LOG_ID_LIKE = /^[A-Za-z0-9_-]{1,64}$/;

export class DeviceLogs {
  readonly reader: DeviceLogReader;
  readonly router: DeviceLogRouter | null;
  readonly #registry: RegistryView;
  readonly #main: ConversationReader;

  constructor(o: { registry: RegistryView; reader: ConversationReader; option: DeviceLogsOption | undefined; deviceId: string }) {
    this.#registry = o.registry;
    this.#main = o.reader;
    this.reader = new DeviceLogReader(o.registry, o.reader);
    const opt = o.option;
    if (opt === undefined || opt === false) this.router = null;
    else {
      const given = typeof opt === 'object' ? opt.logId : undefined;
      const logId = given !== undefined ? checkLogId(given) : LOG_ID_LIKE.test(o.deviceId) ? o.deviceId : uuidv7();
      this.router = new DeviceLogRouter(logId);
    }
  }

  /** The writer hook (ConversationWriterDeps.logOps). */
  foldOps(now: () => number) {
    return foldOps(this.reader, now);
  }

  /** Read a conversation's main head and every log it lists, merged. */
  async read(conversationId: string, main: ConversationState): Promise<MergedRead> {
    const merged = Object.keys(main.logs ?? {}).length > 0 ? await this.reader.read(conversationId, main) : { state: main, main, logs: [] };
    let live = 0;
    for (const m of main.messages.values()) if (!m.deleted) live++;
    this.router?.noteListed(conversationId, main.logs, live);
    return merged;
  }

  /** Read now (registry + heads), merged. */
  async readNow(conversationId: string): Promise<MergedRead> {
    const keys = this.#registry.keysFor(conversationId);
    const entry = await this.#registry.get(conversationId, keys);
    const { state } = await this.#main.read(conversationId, keys, entry);
    return this.read(conversationId, state);
  }

  /**
   * An append with device logs on: to this device's log, acknowledged once the main head lists the
   * log (registered in parallel on the first append here). If the registration fails, the append
   * goes the one-key way instead (to the main head, listing the log in the same write, outbox
   * included); a copy already in the unlisted log is harmless (same message id).
   */
  async append(
    conversationId: string,
    op: Op & { kind: 'append' },
    submit: (keyId: string, op: Op) => Promise<StorageResult & { status?: string }>,
    register: (conversationId: string, op: Op) => Promise<unknown>,
  ): Promise<StorageResult & { status?: string }> {
    const router = this.router!;
    const keyId = logKeyId(conversationId, router.logId);
    const registered = router.isRegistered(conversationId);
    // A log this manager has never seen is almost always new: write revision 1 without reading
    // (on a Dart portal the first read of a missing key waits ≈2 s). A log that exists after all
    // (a persisted log id) costs one rejected set and the normal retry.
    if (!registered) this.#registry.markFresh(keyId);
    const toLog = submit(keyId, op);
    if (!registered) {
      const registering = router.registration(conversationId, () => register(conversationId, { kind: 'logs', register: router.logId, at: op.at }));
      const [log, reg] = await Promise.allSettled([toLog, registering]);
      if (reg.status === 'rejected') return submit(conversationId, { ...op, registerLog: router.logId });
      if (log.status === 'rejected') throw log.reason;
      return this.#asConversation(conversationId, log.value);
    }
    return this.#asConversation(conversationId, await toLog);
  }

  #asConversation(conversationId: string, r: StorageResult & { status?: string }): StorageResult & { status?: string } {
    if (r.status === 'queued') return { ...r, conversationId };
    return { ...r, ...this.router!.asConversationResult(conversationId, r, (k) => this.#registry.floor(k)) };
  }

  /** Whether `prepare` has anything to check (appends and most writes: no — they go straight on). */
  needsPrepare(op: Op, knownBase: SnapshotBase | undefined): boolean {
    const snapshotRevision = op.kind === 'save' && op.mode !== 'overwrite' ? op.conversation.revision : undefined;
    const optimistic = (op.kind === 'save' || op.kind === 'metadata') && op.mode === 'fail' && op.expectedRevision !== undefined;
    return (snapshotRevision !== undefined && !knownBase) || optimistic;
  }

  /**
   * Before a save or metadata update: revisions are composite (main + logs). A snapshot save needs
   * the base the caller saw (the composite names it); an optimistic 'fail' op is judged on the
   * composite here and on the main head's revision by the writer. Throws typed errors, nothing written.
   */
  async prepare(conversationId: string, op: Op, knownBase: SnapshotBase | undefined): Promise<void> {
    if (!this.needsPrepare(op, knownBase)) return;
    const snapshotRevision = op.kind === 'save' && op.mode !== 'overwrite' ? op.conversation.revision : undefined;
    const optimistic = (op.kind === 'save' || op.kind === 'metadata') && op.mode === 'fail' && op.expectedRevision !== undefined;
    const { state, main, logs } = await this.readNow(conversationId);
    if (logs.length === 0) return; // one key: the writer judges revisions as it always did
    if (op.kind === 'save' && snapshotRevision !== undefined && !knownBase) {
      if (snapshotRevision !== state.revision) throw new StaleSnapshotError(conversationId, snapshotRevision, state.revision);
      op.base = { revision: state.revision, messages: state.messages, metadata: state.metadata.values };
    }
    if (optimistic && (op.kind === 'save' || op.kind === 'metadata')) {
      if (op.expectedRevision !== state.revision) {
        throw new RevisionConflictError({
          conversationId,
          attempts: 1,
          lastSeenRevision: state.revision,
          currentRevision: state.revision,
          expectedRevision: op.expectedRevision!,
        });
      }
      op.expectedRevision = main.revision;
    }
  }
}

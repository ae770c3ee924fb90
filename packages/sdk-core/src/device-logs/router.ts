/**
 * Where this device's appends go. The first append of this manager to a conversation goes to the
 * main head and lists this device's log in the same write (one contended write, retried with the
 * normal contract, so a reader can always find every acknowledged message); once that write is
 * durable — or a read shows the log listed — appends go to the device's own log, a key no other
 * device writes: no lost races between devices. Two tabs sharing a log id take turns on the log
 * key with the usual lock and retry contract.
 */
import type { Op } from '../ops.js';
import type { StorageResult } from '../schemas.js';
import { logKeyId } from './ids.js';

const MAX_TRACKED = 4096;

export class DeviceLogRouter {
  readonly logId: string;
  /** Conversations whose main head lists our log. */
  readonly #registered = new Set<string>();
  /** Per conversation: log ids last seen listed, and the main head's live message count. */
  readonly #known = new Map<string, { logs: string[]; mainCount: number }>();

  constructor(logId: string) {
    this.logId = logId;
  }

  /** The key id an append goes to, and the op to send (with the registration when it goes to main). */
  route(conversationId: string, op: Op & { kind: 'append' }): { keyId: string; op: Op; toLog: boolean } {
    if (this.#registered.has(conversationId)) return { keyId: logKeyId(conversationId, this.logId), op, toLog: true };
    return { keyId: conversationId, op: { ...op, registerLog: this.logId }, toLog: false };
  }

  /** A write to the main head that carried our registration is durable. */
  registered(conversationId: string): void {
    if (this.#registered.size >= MAX_TRACKED) this.#registered.clear(); // forgetting costs one main write
    this.#registered.add(conversationId);
  }

  /** A read of the main head: which logs it lists (ours included?). */
  noteListed(conversationId: string, logs: Readonly<Record<string, string>> | undefined, mainCount: number): void {
    const ids = Object.keys(logs ?? {});
    if (ids.includes(this.logId)) this.registered(conversationId);
    if (this.#known.size >= MAX_TRACKED) this.#known.clear();
    this.#known.set(conversationId, { logs: ids, mainCount });
  }

  knownLogs(conversationId: string): string[] {
    return this.#known.get(conversationId)?.logs ?? [this.logId];
  }

  /**
   * A log write's result, as the conversation's: its id, a composite revision (main + logs as far
   * as this manager has seen them) and an estimated message count (main head's last known + log).
   */
  asConversationResult(conversationId: string, r: StorageResult, floor: (keyId: string) => number): StorageResult {
    const logs = new Set([...this.knownLogs(conversationId), this.logId]);
    let revision = floor(conversationId);
    for (const l of logs) revision += floor(logKeyId(conversationId, l));
    const mainCount = this.#known.get(conversationId)?.mainCount ?? 0;
    return { ...r, conversationId, revision, messageCount: mainCount + r.messageCount };
  }
}

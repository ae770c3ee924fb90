/**
 * Which conversations list this device's log. An append goes to the device's own log, a key no
 * other device writes (no lost races between devices; two tabs sharing a log id take turns on it
 * with the usual lock and retry contract). It is acknowledged only once the conversation's main
 * head lists the log — the first append of this manager to a conversation registers it there (one
 * contended main write, retried with the normal contract, in parallel with the log write), so a
 * reader can always find every acknowledged message.
 */
import type { StorageResult } from '../schemas.js';
import { logKeyId } from './ids.js';

const MAX_TRACKED = 4096;

export class DeviceLogRouter {
  readonly logId: string;
  /** Conversations whose main head lists our log. */
  readonly #registered = new Set<string>();
  readonly #pending = new Map<string, Promise<void>>();
  /** Per conversation: log ids last seen listed, and the main head's live message count. */
  readonly #known = new Map<string, { logs: string[]; mainCount: number }>();

  constructor(logId: string) {
    this.logId = logId;
  }

  isRegistered(conversationId: string): boolean {
    return this.#registered.has(conversationId);
  }

  /**
   * The one registration of our log in `conversationId`'s main head (shared by concurrent
   * appends; a failed one is forgotten, so the next append tries again).
   */
  registration(conversationId: string, write: () => Promise<unknown>): Promise<void> {
    let p = this.#pending.get(conversationId);
    if (!p) {
      p = write().then(
        () => {
          this.#pending.delete(conversationId);
          this.registered(conversationId);
        },
        (error: unknown) => {
          this.#pending.delete(conversationId);
          throw error;
        },
      );
      this.#pending.set(conversationId, p);
    }
    return p;
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

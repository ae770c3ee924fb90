/** Types shared by the write path's collaborators (façade, writer, index, compactor). */
import type { S5Backend } from '@s5chat/s5';
import type { Emitter, StorageEvents } from '../events.js';
import type { IndexOp } from '../layout/index-doc.js';
import type { ConversationReader } from '../layout/reader.js';
import type { MetricsRecorder } from '../metrics.js';
import type { ApplyResult, ConversationState, Op } from '../ops.js';
import type { RegistryView } from '../read/registry-view.js';
import type { Head } from '../layout/head.js';
import type { Limits, StorageResult } from '../schemas.js';

export interface RetryOptions {
  /** First wait after a lost race (default 200 ms; then 400, 800). */
  baseMs?: number;
  /** Retries after the first attempt (default 3 ⇒ up to 4 attempts). */
  retries?: number;
  /** Up to this fraction is added to each wait at random (default 0.25). */
  jitter?: number;
  /** Uniform [0,1) source for the jitter (tests). */
  random?: () => number;
  /**
   * Extra attempts (default 8, 0 disables) granted while the conversation keeps moving — each lost
   * race saw a newer revision, i.e. other writers are succeeding — so a device that keeps losing
   * its turn to many others is not starved into RevisionConflictError. Each waits about the last
   * retry delay (×0.5–1.5). Bounded: no attempt is granted without progress by someone.
   */
  progressRetries?: number;
}

/** One queued unit of group commit: an operation on a conversation, or an update of the list. */
export type Item =
  | {
      target: 'conversation';
      op: Op;
      encrypted: boolean;
      /** saveConversationPlaintext: plaintext asked for explicitly (refused on an encrypted conversation, unless overwriting). */
      explicitPlaintext?: boolean;
      /** Approximate bytes of the op's messages (group-commit batch cap). */
      weight: number;
    }
  | { target: 'index'; op: IndexOp };

/** Largest sum of message bytes one write carries (uploads stay far below portal limits: 32 MiB). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Key of the index queue/lock/floor: '#' cannot occur in a conversation id. */
export const INDEX_KEY = '#index';

/** What one run of the write loop did. */
export interface WriteOutcome {
  result: StorageResult;
  opErrors: (Error | undefined)[];
  applied: ApplyResult | null;
  before: ConversationState;
  head: Head | null;
  wrote: boolean;
}

/** What every writer (conversations, the index) needs. */
export interface WriteDeps {
  backend: S5Backend;
  registry: RegistryView;
  reader: ConversationReader;
  metrics: MetricsRecorder;
  events: Emitter<StorageEvents>;
  retry: RetryOptions;
  sleep: (ms: number) => Promise<void>;
  deviceId: string;
  limits: Limits;
}

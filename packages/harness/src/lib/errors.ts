/**
 * Turns any thrown value into what the UI shows: the stable `code`, a short
 * message and what the user can do about it. The page switches on `code`
 * (never on message text), like every other s5chat caller.
 */
export interface ShownError {
  /** Stable error code (`REVISION_CONFLICT`, `PORTAL_UNAVAILABLE`, ...) or `UNKNOWN`. */
  code: string;
  /** Where it happened, e.g. "append message". */
  context: string;
  message: string;
  advice: string;
  details?: string;
  at: number;
  /** How many times this same error (code + context) happened; shown as ×N. */
  count?: number;
  lastAt?: number;
}

const ADVICE: Record<string, string> = {
  REVISION_CONFLICT:
    'Another tab or device kept changing this conversation and every retry lost the race. Nothing was overwritten; reload from storage and try again.',
  REVISION_TOO_LOW:
    'The node already holds a newer revision. Reload from storage and try again (the SDK normally retries this itself).',
  PORTAL_UNAVAILABLE:
    'The portal did not answer. Is the devnode running (`pnpm start`)? Check the portal URL shown at the top.',
  TIMEOUT: 'The portal took too long to answer. Check that it is running and not overloaded, then retry.',
  AUTH_FAILED:
    'The portal refused the account. For a remote portal set S5CHAT_INVITE_CODE; otherwise reconnect your identity.',
  NOT_FOUND: 'The conversation or blob does not exist on this portal. It may have been deleted, or written to another portal.',
  HASH_MISMATCH: 'The portal returned data that does not match its hash. The data was refused; try another portal.',
  INVALID_SIGNATURE: 'A registry entry had an invalid signature and was refused. The portal may be misbehaving.',
  DECRYPTION_FAILED:
    'The conversation could not be decrypted with this identity. Connect with the identity that wrote it.',
  INVALID_SEED_PHRASE: 'The seed phrase is not valid: check the 15 words and their order.',
  VALIDATION: 'The input was rejected and nothing was written. Fix the fields listed in the details.',
  LOCK_TIMEOUT: 'The conversation stayed busy for too long. Wait for pending writes to finish and retry.',
  ABORTED: 'The operation was cancelled.',
  CONVERSATION_DELETED: 'The conversation was deleted in another tab or device. Start a new session.',
  WALLET_REJECTED: 'The wallet refused the request. Approve the signature to derive your S5 identity.',
  NO_WALLET: 'No browser wallet was found. Use the local development wallet or a seed phrase.',
  CONFIG_UNAVAILABLE: 'The harness server did not return its configuration. Restart it with `pnpm start`.',
  ADMIN_UNAVAILABLE:
    'The fault knobs need the local devnode (/admin routes). They are not available on a remote portal.',
  UNKNOWN: 'Unexpected error. The details below say what happened; reload the page and retry.',
};

function field(e: unknown, key: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[key] : undefined;
}

export function errorCode(e: unknown): string {
  const code = field(e, 'code');
  if (typeof code === 'string' && code) return code;
  // EIP-1193 user rejection (number code 4001) and ethers' ACTION_REJECTED.
  if (code === 4001) return 'WALLET_REJECTED';
  return 'UNKNOWN';
}

export function describeError(e: unknown, context: string): ShownError {
  const code = errorCode(e);
  const short = field(e, 'shortMessage');
  const message =
    typeof short === 'string' ? short : e instanceof Error ? e.message : typeof e === 'string' ? e : 'Unknown error';
  const detailParts: string[] = [];
  const details = field(e, 'details');
  if (typeof details === 'string') detailParts.push(details);
  else if (details && typeof details === 'object') {
    // S5ChatError.details is structured: free text under `text`, facts (operationId, …) as keys.
    for (const [k, v] of Object.entries(details as Record<string, unknown>)) {
      if (v !== undefined) detailParts.push(k === 'text' ? String(v) : `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
    }
  }
  const issues = field(e, 'issues');
  if (Array.isArray(issues)) {
    for (const i of issues) detailParts.push(`${String(field(i, 'path'))}: ${String(field(i, 'message'))}`);
  }
  for (const k of ['attempts', 'lastSeenRevision', 'currentRevision', 'status'] as const) {
    const v = field(e, k);
    if (typeof v === 'number') detailParts.push(`${k}=${v}`);
  }
  const shown: ShownError = {
    code,
    context,
    message,
    advice: (ADVICE[code] ?? ADVICE.UNKNOWN) as string,
    at: Date.now(),
  };
  if (detailParts.length) shown.details = detailParts.join('; ');
  return shown;
}

/** An error raised by the harness itself, shaped like the library errors. */
export class HarnessError extends Error {
  constructor(
    readonly code: string,
    readonly shortMessage: string,
    readonly details?: string,
  ) {
    super(shortMessage);
    this.name = 'HarnessError';
  }
}

/**
 * createSdk: identity + backend + StorageManager + SessionManager in one call.
 */
import { PortalClient, S5Identity, ValidationError, type S5Backend } from '@s5chat/s5';
import { SessionManager } from './sessions.js';
import { StorageManager, type RetryOptions, type StorageManagerOptions } from './storage-manager.js';
import type { Limits } from './schemas.js';

export interface CreateSdkOptions {
  /** S5 portal (e.g. the devnode's url). Required unless `backend` is given. */
  portalUrl?: string;
  seedPhrase?: string;
  /**
   * An identity, or the promise of one: from a wallet, `identity: identityFromWallet(signer)` (an
   * ethers v6 Signer or anything with signMessage). Wallet support is that separate import so an app
   * without one does not bundle secp256k1.
   */
  identity?: S5Identity | Promise<S5Identity>;
  encryption?: 'on' | 'off';
  deviceId?: string;
  fetch?: typeof fetch;
  /** Any S5Backend (another S5 client, the MemoryBackend); default: a PortalClient for portalUrl. */
  backend?: S5Backend;
  lingerMs?: number;
  retry?: RetryOptions;
  limits?: Partial<Limits>;
  lockTimeoutMs?: number;
  /** Passed to the PortalClient. */
  inviteCode?: string;
  /**
   * Passed to the PortalClient: an externally supplied portal token (e.g. `proxiedLogin` from
   * @s5chat/s5 for cookie-only portals in browsers). The client then never logs in itself.
   */
  tokenProvider?: () => Promise<string>;
  /**
   * Passed to the PortalClient: register before logging in. Set it for an identity created just now
   * (e.g. a freshly generated seed phrase): the first session then sees no "not registered" answer.
   * Default: `freshIdentity`.
   */
  registerFirst?: boolean;
  /**
   * The identity was created just now (generateSeedPhrase(), Wallet.createRandom()) and nothing is
   * stored under it: the SDK registers before logging in, answers reads of keys it has not written
   * with "nothing" instead of asking the portal (a brand-new identity's first session then shows no
   * 404 and no failed login, and skips Dart's ≈ 2 s registry miss), and writes the conversation list
   * and new conversations at revision 1 without reading first. Wrong (the identity has data): one
   * "Revision number too low" and one refused registration, the normal retry, nothing lost; it ends
   * at any sign of another writer. Lasts for this SDK instance; to keep it across a reload, remember
   * it yourself and forget it in `onFreshIdentityUsed`. Default false.
   */
  freshIdentity?: boolean;
  /** Called once when a `freshIdentity` stops being fresh (its first write is about to be sent, or another writer showed up). */
  onFreshIdentityUsed?: () => void;
  timeoutMs?: number;
  /** Durable outbox: 'auto' (default: IndexedDB in browsers, files in `outboxDir`, else memory), false, or your OutboxStore. */
  outbox?: StorageManagerOptions['outbox'];
  outboxDir?: string;
  /** Live updates transport (watch / watchConversations). */
  live?: StorageManagerOptions['live'];
  /** Everything else the StorageManager takes. */
  storage?: Partial<Omit<StorageManagerOptions, 'backend' | 'identity'>>;
}

/**
 * The calls an app makes all the time, on `sdk` itself: each is `sdk.storage`'s method bound to it
 * (same signature, same behaviour). Everything else stays on `sdk.storage` / `sdk.sessions`.
 * A new common StorageManager call (editMessage, deleteMessage, …)
 * joins by adding its name here — the type follows.
 */
export const SDK_STORAGE_METHODS = [
  'watch',
  'watchConversations',
  'appendMessage',
  'appendMessages',
  'saveConversation',
  'loadConversation',
  'listConversations',
  'deleteConversation',
  'updateMetadata',
  'metrics',
  'on',
  'pendingWrites',
  'flush',
  'close',
] as const satisfies readonly (keyof StorageManager)[];

export type SdkStorageMethods = Pick<StorageManager, (typeof SDK_STORAGE_METHODS)[number]>;

export interface Sdk extends SdkStorageMethods {
  /** The StorageManager: every call, including the ones not on `sdk` (withConversationLock, lockInfo, …). */
  storage: StorageManager;
  identity: S5Identity;
  sessions: SessionManager;
  backend: S5Backend;
}

export async function createSdk(opts: CreateSdkOptions): Promise<Sdk> {
  if (!opts || typeof opts !== 'object') throw new ValidationError([{ path: 'options', message: 'expected an object' }]);
  // A wallet identity may still be pending: an options error thrown below must not leave its rejection unhandled.
  Promise.resolve(opts.identity).catch(() => {});
  if ((opts as { signer?: unknown }).signer !== undefined) {
    // The option of earlier versions: say what replaced it instead of ignoring the wallet.
    throw new ValidationError([{ path: 'signer', message: 'pass identity: identityFromWallet(signer) instead' }]);
  }
  if ((opts.seedPhrase === undefined) === (opts.identity === undefined)) {
    throw new ValidationError([{ path: 'seedPhrase|identity', message: 'give exactly one of seedPhrase or identity' }]);
  }
  if (!opts.backend && (typeof opts.portalUrl !== 'string' || !/^https?:\/\//.test(opts.portalUrl))) {
    throw new ValidationError([{ path: 'portalUrl', message: 'expected an http(s) URL' }]);
  }
  if (opts.encryption !== undefined && opts.encryption !== 'on' && opts.encryption !== 'off') {
    throw new ValidationError([{ path: 'encryption', message: "expected 'on' or 'off'" }]);
  }
  for (const [path, type] of [['freshIdentity', 'boolean'], ['onFreshIdentityUsed', 'function']] as const) {
    if (opts[path] !== undefined && typeof opts[path] !== type) throw new ValidationError([{ path, message: `expected a ${type}` }]);
  }
  const identity = opts.identity ? await opts.identity : S5Identity.fromSeedPhrase(opts.seedPhrase!);
  const portalOpts: ConstructorParameters<typeof PortalClient>[0] = { portalUrl: opts.portalUrl!, identity };
  if (opts.fetch) portalOpts.fetch = opts.fetch;
  if (opts.inviteCode !== undefined) portalOpts.inviteCode = opts.inviteCode;
  if (opts.tokenProvider !== undefined) portalOpts.tokenProvider = opts.tokenProvider;
  const registerFirst = opts.registerFirst ?? opts.freshIdentity;
  if (registerFirst !== undefined) portalOpts.registerFirst = registerFirst;
  if (opts.timeoutMs !== undefined) portalOpts.timeoutMs = opts.timeoutMs;
  const backend = opts.backend ?? new PortalClient(portalOpts);
  const so: StorageManagerOptions = { ...(opts.storage ?? {}), backend, identity };
  if (opts.encryption !== undefined) so.encryption = opts.encryption;
  if (opts.deviceId !== undefined) so.deviceId = opts.deviceId;
  if (opts.lingerMs !== undefined) so.lingerMs = opts.lingerMs;
  if (opts.retry !== undefined) so.retry = opts.retry;
  if (opts.limits !== undefined) so.limits = opts.limits;
  if (opts.lockTimeoutMs !== undefined) so.lockTimeoutMs = opts.lockTimeoutMs;
  if (opts.outbox !== undefined) so.outbox = opts.outbox;
  if (opts.outboxDir !== undefined) so.outboxDir = opts.outboxDir;
  if (opts.live !== undefined) so.live = opts.live;
  if (opts.freshIdentity !== undefined) so.freshIdentity = opts.freshIdentity;
  if (opts.onFreshIdentityUsed !== undefined) so.onFreshIdentityUsed = opts.onFreshIdentityUsed;
  const storage = new StorageManager(so);
  const sessions = new SessionManager(storage);
  const facade = {} as Record<string, unknown>;
  for (const name of SDK_STORAGE_METHODS) facade[name] = (storage[name] as (...a: unknown[]) => unknown).bind(storage);
  return { ...(facade as unknown as SdkStorageMethods), storage, identity, sessions, backend };
}

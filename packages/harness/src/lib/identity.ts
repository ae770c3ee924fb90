/**
 * Identity for the harness. The S5 identity is always derived from a signer
 * through `identityFromWallet` (or from a seed phrase):
 *   - an injected EIP-1193 wallet (window.ethereum) through ethers' BrowserProvider;
 *   - otherwise a local development wallet: a random ethers Wallet whose key
 *     stays in this browser's localStorage (dev only, clearly labelled);
 *   - or a 15-word S5 seed phrase.
 */
import { BrowserProvider, Wallet, type Eip1193Provider } from 'ethers';
import { S5Identity, bytesToHex, generateSeedPhrase, identityFromWallet } from '@s5chat/s5';

/**
 * A new random 15-word S5 seed phrase (never stored by the harness). Its identity is remembered as
 * fresh (by public key only), so connecting with it tells the SDK nothing is stored under it yet.
 */
export function newSeedPhrase(): string {
  const phrase = generateSeedPhrase();
  rememberFresh(S5Identity.fromSeedPhrase(phrase));
  return phrase;
}
import { HarnessError } from './errors';

export type IdentityKind = 'injected' | 'dev-wallet' | 'seed';

export interface ConnectedIdentity {
  identity: S5Identity;
  kind: IdentityKind;
  /** Wallet address, or a short label for a seed phrase. */
  label: string;
  /** Created here and nothing written under it yet (the SDK's `freshIdentity`). */
  fresh: boolean;
}

const DEV_WALLET_KEY = 's5chat.harness.devWallet';
const LAST_KIND_KEY = 's5chat.harness.identityKind';
/**
 * Public keys (hex) of identities this browser created and has not written under yet. Kept across
 * reloads (a new identity reloaded before its first write is still new); forgotten when the SDK
 * reports the identity used (`onFreshIdentityUsed`). Public keys only: nothing secret.
 */
const FRESH_KEY = 's5chat.harness.freshIdentities';
const MAX_FRESH = 8;

function freshKeys(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(FRESH_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function rememberFresh(identity: S5Identity): void {
  const key = identityPublicKeyHex(identity);
  localStorage.setItem(FRESH_KEY, JSON.stringify([...freshKeys().filter((k) => k !== key), key].slice(-MAX_FRESH)));
}

export function isFresh(identity: S5Identity): boolean {
  return freshKeys().includes(identityPublicKeyHex(identity));
}

/** The SDK wrote (or is about to write) under `identity`, or saw another writer: it is not new any more. */
export function forgetFresh(identity: S5Identity): void {
  const key = identityPublicKeyHex(identity);
  const keys = freshKeys();
  if (keys.includes(key)) localStorage.setItem(FRESH_KEY, JSON.stringify(keys.filter((k) => k !== key)));
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

/** The identity's public signing key (33-byte multikey, hex): safe to show, and the same on every device. */
export function identityPublicKeyHex(identity: S5Identity): string {
  return bytesToHex(identity.signingKeyPair.publicKey);
}

export function injectedWallet(): Eip1193Provider | undefined {
  return typeof window !== 'undefined' ? window.ethereum : undefined;
}

export async function connectInjectedWallet(): Promise<ConnectedIdentity> {
  const eth = injectedWallet();
  if (!eth) throw new HarnessError('NO_WALLET', 'No injected wallet (window.ethereum) in this browser.');
  const provider = new BrowserProvider(eth);
  const signer = await provider.getSigner(); // asks the wallet for an account
  const identity = await identityFromWallet(signer);
  remember('injected');
  return { identity, kind: 'injected', label: await signer.getAddress(), fresh: false };
}

/** The local development wallet: created once, then reused from localStorage. */
export async function connectDevWallet(): Promise<ConnectedIdentity> {
  let key = localStorage.getItem(DEV_WALLET_KEY);
  const created = !key;
  if (!key) {
    key = Wallet.createRandom().privateKey;
    localStorage.setItem(DEV_WALLET_KEY, key);
  }
  const wallet = new Wallet(key);
  const identity = await identityFromWallet(wallet);
  if (created) rememberFresh(identity); // a random wallet made just now: nothing is stored under it
  remember('dev-wallet');
  return { identity, kind: 'dev-wallet', label: wallet.address, fresh: isFresh(identity) };
}

export function forgetDevWallet(): void {
  localStorage.removeItem(DEV_WALLET_KEY);
  localStorage.removeItem(LAST_KIND_KEY);
}

export function connectSeedPhrase(phrase: string): ConnectedIdentity {
  const identity = S5Identity.fromSeedPhrase(phrase.trim().toLowerCase().split(/\s+/).join(' '));
  // Never store the phrase itself; only remember that the user chose this route.
  // The label never shows any of the secret words: only a fingerprint of the public key.
  return { identity, kind: 'seed', label: `seed phrase (key ${identityPublicKeyHex(identity).slice(2, 10)})`, fresh: isFresh(identity) };
}

function remember(kind: IdentityKind): void {
  localStorage.setItem(LAST_KIND_KEY, kind);
}

/** The identity route to reconnect silently after a reload (only the dev wallet needs no prompt). */
export function rememberedKind(): IdentityKind | null {
  const k = typeof localStorage !== 'undefined' ? localStorage.getItem(LAST_KIND_KEY) : null;
  return k === 'injected' || k === 'dev-wallet' || k === 'seed' ? k : null;
}

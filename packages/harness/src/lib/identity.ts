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

/** A new random 15-word S5 seed phrase (never stored by the harness). */
export function newSeedPhrase(): string {
  return generateSeedPhrase();
}
import { HarnessError } from './errors';

export type IdentityKind = 'injected' | 'dev-wallet' | 'seed';

export interface ConnectedIdentity {
  identity: S5Identity;
  kind: IdentityKind;
  /** Wallet address, or a short label for a seed phrase. */
  label: string;
}

const DEV_WALLET_KEY = 's5chat.harness.devWallet';
const LAST_KIND_KEY = 's5chat.harness.identityKind';

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
  return { identity, kind: 'injected', label: await signer.getAddress() };
}

/** The local development wallet: created once, then reused from localStorage. */
export async function connectDevWallet(): Promise<ConnectedIdentity> {
  let key = localStorage.getItem(DEV_WALLET_KEY);
  if (!key) {
    key = Wallet.createRandom().privateKey;
    localStorage.setItem(DEV_WALLET_KEY, key);
  }
  const wallet = new Wallet(key);
  const identity = await identityFromWallet(wallet);
  remember('dev-wallet');
  return { identity, kind: 'dev-wallet', label: wallet.address };
}

export function forgetDevWallet(): void {
  localStorage.removeItem(DEV_WALLET_KEY);
  localStorage.removeItem(LAST_KIND_KEY);
}

export function connectSeedPhrase(phrase: string): ConnectedIdentity {
  const identity = S5Identity.fromSeedPhrase(phrase.trim().toLowerCase().split(/\s+/).join(' '));
  // Never store the phrase itself; only remember that the user chose this route.
  // The label never shows any of the secret words: only a fingerprint of the public key.
  return { identity, kind: 'seed', label: `seed phrase (key ${identityPublicKeyHex(identity).slice(2, 10)})` };
}

function remember(kind: IdentityKind): void {
  localStorage.setItem(LAST_KIND_KEY, kind);
}

/** The identity route to reconnect silently after a reload (only the dev wallet needs no prompt). */
export function rememberedKind(): IdentityKind | null {
  const k = typeof localStorage !== 'undefined' ? localStorage.getItem(LAST_KIND_KEY) : null;
  return k === 'injected' || k === 'dev-wallet' || k === 'seed' ? k : null;
}

import { ValidationError } from '../errors.js';
import { assertBytes, concatBytes, utf8ToBytes } from '../encoding/bytes.js';
import { toBase64Url } from '../encoding/base64url.js';
import { blake3 } from '../crypto/blake3.js';
import type { Ed25519KeyPair } from '../crypto/ed25519.js';

export type PortalAuthFlow = 'register' | 'login';

/** Type byte of the signed challenge response (PROTOCOL §4.1). */
export const PORTAL_AUTH_TYPE: Record<PortalAuthFlow, number> = { register: 0x01, login: 0x02 };

/**
 * The host string signed into the challenge response: hostname plus `:port` only when the URL has an
 * explicit non-default port — exactly WHATWG `URL.host`.
 */
export function portalHost(portalUrl: string | URL): string {
  return new URL(portalUrl).host;
}

/**
 * Challenge response for register/login: message = `type ‖ challenge32 ‖ BLAKE3(utf8(host))`
 * (65 bytes), signature = Ed25519 over it. Returns the POST body fields (base64url).
 */
export function signPortalChallenge(args: {
  keyPair: Ed25519KeyPair;
  flow: PortalAuthFlow;
  challenge: Uint8Array;
  host: string;
}): { pubKey: string; response: string; signature: string; responseBytes: Uint8Array; signatureBytes: Uint8Array } {
  const { keyPair, flow, challenge, host } = args;
  // s5.js refuses a challenge that is not 32 bytes; so do we (a portal cannot make us sign arbitrary data).
  assertBytes(challenge, 'challenge', 32);
  if (!(flow in PORTAL_AUTH_TYPE)) throw new ValidationError([{ path: 'flow', message: 'expected register or login' }]);
  const responseBytes = concatBytes(Uint8Array.of(PORTAL_AUTH_TYPE[flow]), challenge, blake3(utf8ToBytes(host)));
  const signatureBytes = keyPair.sign(responseBytes);
  return {
    pubKey: keyPair.publicKeyBase64Url,
    response: toBase64Url(responseBytes),
    signature: toBase64Url(signatureBytes),
    responseBytes,
    signatureBytes,
  };
}

/** Token from a `set-cookie` header value (`s5-auth-token=<token>; …`), if present. */
export function tokenFromSetCookie(setCookie: string | null | undefined): string | undefined {
  if (!setCookie) return undefined;
  const m = /(?:^|[;,]\s*)s5-auth-token=([^;,\s]+)/.exec(setCookie);
  return m?.[1];
}

import { describe, expect, it } from 'vitest';
import { portalAccountKeyPair, portalHost, signPortalChallenge, tokenFromSetCookie, ValidationError } from '../src/index.js';
import { hex, toHex, V } from './vectors.js';

const pa = V.portal_auth;
const keyPair = portalAccountKeyPair(hex(pa.portal_account_seed_hex), hex(pa.account_seed_hex));

describe('portal challenge signing (PROTOCOL §4.1 vectors)', () => {
  it('host string is URL.host', () => {
    expect(portalHost(new URL(pa.register.post_url).origin)).toBe(pa.host);
    expect(portalHost('https://portal.example:443')).toBe('portal.example');
    expect(portalHost('http://portal.example:80/')).toBe('portal.example');
  });
  for (const flow of ['register', 'login'] as const) {
    it(`${flow}: 65-byte response and signature match s5.js`, () => {
      const signed = signPortalChallenge({ keyPair, flow, challenge: hex(pa.challenge_hex), host: pa.host });
      expect(toHex(signed.responseBytes)).toBe(pa[flow].response_hex);
      expect(toHex(signed.signatureBytes)).toBe(pa[flow].signature_hex);
      expect(signed.pubKey).toBe(pa[flow].post_body.pubKey);
      expect(signed.response).toBe(pa[flow].post_body.response);
      expect(signed.signature).toBe(pa[flow].post_body.signature);
      expect(toHex(signed.responseBytes.subarray(33))).toBe(pa.host_hash_hex);
    });
  }
  it('refuses to sign a challenge that is not 32 bytes', () => {
    expect(() => signPortalChallenge({ keyPair, flow: 'login', challenge: new Uint8Array(64), host: pa.host })).toThrow(ValidationError);
  });
  it('extracts the token from set-cookie', () => {
    expect(tokenFromSetCookie('s5-auth-token=S5Aabc; Path=/; Max-Age=2592000; HttpOnly')).toBe('S5Aabc');
    expect(tokenFromSetCookie('other=1, s5-auth-token=S5Axyz; Path=/')).toBe('S5Axyz');
    expect(tokenFromSetCookie(null)).toBeUndefined();
  });
});

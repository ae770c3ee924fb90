import { randomBytes } from '../crypto/random.js';
import { concatBytes, equalBytes } from '../encoding/bytes.js';
import { Ed25519KeyPair, verifyEd25519 } from '../crypto/ed25519.js';
import { P2PProtocolError } from './errors.js';
import { P2P, decodeSeq, encodeSeq, isBin } from './framing.js';

/** What the node proved in its HandshakeDone. */
export interface NodeHello {
  /** pk33 of the node key. */
  nodeId: Uint8Array;
  /** URIs the node advertises for itself (Dart with a domain: one, `wss://<domain>/s5/p2p`). */
  uris: string[];
}

/**
 * The client side of the PROTOCOL §7.4 handshake. A fresh random node key per connection (s5.js
 * does the same per process): nothing is tied to the user's identity.
 */
export class ClientHandshake {
  readonly keyPair = Ed25519KeyPair.fromSeed(randomBytes(32));
  /** 31 random bytes ‖ our node id: what the node's HandshakeDone must echo. */
  readonly challenge = concatBytes(randomBytes(31), this.keyPair.publicKey);
  #answered = false;
  #hello: NodeHello | undefined;

  /** `[1, bin64 C]`: exactly two values, never a network id (PORTALS §3 item 17). */
  openFrame(): Uint8Array {
    return encodeSeq([P2P.HANDSHAKE_OPEN, this.challenge]);
  }

  /** Both directions proven: the node signed our challenge and we answered its one. */
  get complete(): boolean {
    return this.#answered && this.#hello !== undefined;
  }

  get hello(): NodeHello | undefined {
    return this.#hello;
  }

  /**
   * The node's `[1, bin challenge, (str networkId)?]` → our signed `[2, echo, 3, 0]`. A trailing
   * network id is tolerated (lib5 may append one); we never send one.
   */
  answerOpen(frame: Uint8Array): Uint8Array {
    const values = decodeSeq(frame);
    const challenge = values[1];
    if (!isBin(challenge) || challenge.length < 1 || challenge.length > 255) {
      throw new P2PProtocolError('HandshakeOpen without a 1..255-byte challenge.');
    }
    const inner = encodeSeq([P2P.HANDSHAKE_DONE, challenge, P2P.REQUIRED_FEATURES, 0]);
    this.#answered = true;
    return encodeSeq([P2P.SIGNED_MESSAGE, this.keyPair.publicKey, this.keyPair.sign(inner), inner]);
  }

  /**
   * A SignedMessage from the node. Returns the inner method number after checking the signature;
   * for HandshakeDone also checks echo and features and records the node's id and URIs. Announce-
   * Peers (8) and anything else signed is returned for the caller to ignore.
   */
  acceptSigned(frame: Uint8Array): number {
    const values = decodeSeq(frame);
    if (values.length !== 4) throw new P2PProtocolError(`SignedMessage must have 4 values, got ${values.length}.`);
    const [, nodeId, signature, inner] = values;
    if (!isBin(nodeId, 33) || !isBin(signature, 64) || !isBin(inner) || inner.length === 0) {
      throw new P2PProtocolError('SignedMessage must be [10, bin33 nodeId, bin64 signature, bin message].');
    }
    if (!verifyEd25519(nodeId, inner, signature)) throw new P2PProtocolError('SignedMessage signature does not verify.');
    const method = inner[0]!;
    if (method !== P2P.HANDSHAKE_DONE) return method;
    const [, echo, features, uriCount, ...rest] = decodeSeq(inner);
    if (!isBin(echo) || !equalBytes(echo, this.challenge)) throw new P2PProtocolError('Invalid challenge found in p2p handshake.');
    if (features !== P2P.REQUIRED_FEATURES) throw new P2PProtocolError('Remote node does not support required features.');
    // Dart with a domain sends uriCount 1 + its wss URI; the devnode and s5.js send 0. Accept any.
    const count = typeof uriCount === 'number' && Number.isInteger(uriCount) && uriCount >= 0 ? uriCount : 0;
    const uris = rest.slice(0, count).filter((u): u is string => typeof u === 'string');
    this.#hello = { nodeId: nodeId.slice(), uris };
    return method;
  }
}

import { S5ChatError, type S5ChatErrorOptions } from '../errors.js';

/**
 * The portal offers no usable `/s5/p2p` (404, refused, or it never completed a handshake). Live
 * updates must fall back to the subscription socket or polling (PORTALS §3 item 16).
 */
export class P2PUnavailableError extends S5ChatError {
  static override readonly code = 'P2P_UNAVAILABLE' as const;
  override name = 'P2PUnavailableError';
  readonly url: string;
  constructor(url: string, opts: S5ChatErrorOptions = {}) {
    super('P2P_UNAVAILABLE', 'The portal offers no usable P2P WebSocket.', { details: { url }, ...opts });
    this.url = url;
  }
}

/** A peer sent a frame that breaks the protocol (bad signature, wrong echo, missing features). */
export class P2PProtocolError extends S5ChatError {
  static override readonly code = 'P2P_PROTOCOL' as const;
  override name = 'P2PProtocolError';
  constructor(shortMessage: string, opts: S5ChatErrorOptions = {}) {
    super('P2P_PROTOCOL', shortMessage, opts);
  }
}

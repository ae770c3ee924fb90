export { P2PClient, p2pUrlFor, type P2PClientOptions, type P2PClientStats, type P2PState } from './p2p-client.js';
export { P2PUnavailableError, P2PProtocolError } from './errors.js';
export { ClientHandshake, type NodeHello } from './handshake.js';
export { encodeSeq, decodeSeq, isBin, P2P } from './framing.js';
export { decodeSequence, type DecodeLimits } from './msgpack.js';

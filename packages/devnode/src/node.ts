import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountService } from './accounts.js';
import { FaultInjector } from './faults.js';
import { createDispatcher } from './http/dispatcher.js';
import { writeRawReply } from './http/reply.js';
import { P2PHub } from './p2p/hub.js';
import { createProfile, parseProfileOptions } from './profiles/index.js';
import { P2P_PATH, SUBSCRIPTION_PATH } from './profiles/paths.js';
import { scaledWait, type Services } from './services.js';
import { RegistrySubscriptions } from './p2p/subscriptions.js';
import { RegistryStore } from './registry-store.js';
import { blake3, bytesToHex, Ed25519KeyPair, encodeMultibase } from './s5.js';
import { StatsCollector } from './stats.js';
import { FileBlobStore, MemoryBlobStore, type BlobStore } from './storage/blob-store.js';
import { LevelKv, MemoryKv, type KvStore } from './storage/kv.js';
import type { Devnode, DevnodeOptions, FaultInput } from './types.js';

export const DEFAULT_MAX_BLOB_BYTES = 16 * 1024 * 1024;
export { P2P_PATH, SUBSCRIPTION_PATH };

function makeLogger(log: DevnodeOptions['log']): (line: string) => void {
  if (typeof log === 'function') return (line) => log(`${new Date().toISOString()} ${line}`);
  if (log) return (line) => console.log(`${new Date().toISOString()} ${line}`);
  return () => {};
}

/** The P2P node key survives restarts so the peer URI printed once stays valid. */
async function loadOrCreateNodeSeed(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, 'node-key');
  try {
    const seed = new Uint8Array(await readFile(path));
    if (seed.length === 32) return seed;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const seed = new Uint8Array(randomBytes(32));
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(seed);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return seed;
}

/**
 * Start a local S5 node + portal: HTTP API (accounts, blobs, registry, admin), the registry
 * subscription socket and the P2P WebSocket, all on one port.
 */
export async function startDevnode(options: DevnodeOptions = {}): Promise<Devnode> {
  const host = options.host ?? '127.0.0.1';
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  if (!Number.isSafeInteger(maxBlobBytes) || maxBlobBytes < 0) {
    throw new TypeError(`maxBlobBytes must be a non-negative integer, got ${String(options.maxBlobBytes)}`);
  }
  if (options.nodeSeed && options.nodeSeed.length !== 32) throw new TypeError('nodeSeed must be 32 bytes');
  const verifyBlobsOnRead = options.verifyBlobsOnRead ?? true;
  const profileOptions = parseProfileOptions(options);
  const log = makeLogger(options.log);
  const faults = new FaultInjector(options.faults ?? {}, options.random);
  const stats = new StatsCollector();

  let kv: KvStore;
  let blobs: BlobStore;
  let nodeSeed: Uint8Array;
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    const fileBlobs = new FileBlobStore(options.dataDir);
    const verify = verifyBlobsOnRead ? (hex: string, bytes: Uint8Array) => bytesToHex(blake3(bytes)) === hex : undefined;
    const found = await fileBlobs.recover(verify, log);
    stats.counters.blobs.count = found.count;
    stats.counters.blobs.bytes = found.bytes;
    blobs = fileBlobs;
    nodeSeed = options.nodeSeed ?? (await loadOrCreateNodeSeed(options.dataDir));
    kv = await LevelKv.open(join(options.dataDir, 'db'));
  } else {
    kv = new MemoryKv();
    blobs = new MemoryBlobStore();
    nodeSeed = options.nodeSeed ?? new Uint8Array(randomBytes(32));
  }
  const keyPair = Ed25519KeyPair.fromSeed(nodeSeed);
  const registry = new RegistryStore(kv);
  const lifetime = new AbortController();
  const services: Services = {
    accounts: new AccountService(kv),
    registry,
    blobs,
    faults,
    stats,
    log,
    maxBlobBytes,
    verifyBlobsOnRead,
    wait: scaledWait(profileOptions.timeScale, lifetime.signal),
    queryPeers: () => {}, // replaced once the P2P hub exists
  };

  let hostPort = '';
  const corsOrigin = options.corsOrigin ?? '*';
  const profile = createProfile(profileOptions.profile, {
    services,
    nodeSeed,
    timeScale: profileOptions.timeScale,
    registration: profileOptions.registration,
    inviteTokens: profileOptions.inviteTokens,
    authority: () => hostPort,
    // A wildcard bind has no name clients use; loopback is what they reach it by here.
    // URL.hostname form (what a Host header parses to); a wildcard bind is reached by loopback here.
    hostname: () => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host),
    bindHost: host,
    corsOrigin,
  });
  const hub = new P2PHub({
    keyPair,
    registry,
    stats,
    log,
    selfUris: profile.p2p.selfUris,
    announcePeers: profile.p2p.announcePeers,
    locate: (hash33) => profile.p2p.locate(hash33, services),
    forwardUnknownQueries: profile.p2p.forwardUnknownQueries ?? false,
  });
  services.queryPeers = (pk) => hub.queryRegistry(pk);
  const subscriptions = new RegistrySubscriptions(registry, stats, log, profile.subscription);
  const server = createServer(createDispatcher(profile, services, { corsOrigin }));
  if (profile.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = profile.keepAliveTimeoutMs;
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {}); // a peer vanishing mid-upgrade is not our error
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://devnode.invalid').pathname;
    } catch {
      socket.destroy();
      return;
    }
    const decision = profile.upgrade(req, pathname);
    if (decision.kind === 'p2p') {
      stats.request(`WS ${P2P_PATH}`);
      hub.handleUpgrade(req, socket, head);
    } else if (decision.kind === 'subscription') {
      stats.request(`WS ${SUBSCRIPTION_PATH}`);
      subscriptions.handleUpgrade(req, socket, head);
    } else {
      stats.request(`WS refused`);
      writeRawReply(socket, decision.reply);
    }
  });
  server.on('clientError', (err, socket) => {
    log(`malformed HTTP from client: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await kv.close();
    throw err;
  }
  // After start-up, a server-level error (e.g. EMFILE) is logged; it must not become an uncaught exception.
  server.on('error', (err) => log(`server error: ${err.message}`));
  const { port } = server.address() as AddressInfo;
  hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `http://${hostPort}`;
  try {
    await profile.start?.(url);
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await kv.close();
    throw err;
  }
  const p2pUrl = `ws://${encodeMultibase(keyPair.publicKey, 'z')}@${hostPort}${P2P_PATH}`;
  log(`devnode (${profile.name} profile) listening on ${url} (${options.dataDir ? `data in ${options.dataDir}` : 'in-memory'}), p2p ${p2pUrl}`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    profile: profile.name,
    p2pUrl,
    nodeId: keyPair.publicKey.slice(),
    stats: () => stats.snapshot(),
    setFaults: (f: FaultInput) => faults.set(f),
    faults: () => faults.config,
    resetStats: () => stats.reset(),
    stop: () =>
      (stopping ??= (async () => {
        lifetime.abort(new Error('devnode stopped'));
        await Promise.all([hub.close(), subscriptions.close(), profile.stop?.()]);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await kv.close();
        log('devnode stopped');
      })()),
  };
}

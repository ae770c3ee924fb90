import type { RequestContext } from '../../http/router.js';
import { empty, type Reply } from '../../http/reply.js';
import type { StoredEntry } from '../../registry-store.js';
import type { Services } from '../../services.js';
import { waitForEntry } from '../registry-wait.js';
import { bytesToHex, registryEntrySignedMessage, registryEntryToJson, type RegistryEntry } from '../../s5.js';
import { verifyEd25519Native } from '../../verify.js';
import { dartCheckAuth, type DartAuthConfig } from './auth.js';
import { dartJsonMap } from './body.js';
import { b64Field } from './codec.js';
import { castError, NULL_CHECK, thrown } from './errors.js';
import { dartJson } from './blobs.js';

type Ctx = RequestContext<Services>;

/** lib5 registry.dart:118-147: the first read of a key polls 200 × 10 ms when missing, sleeps 200 ms when stored. */
export const FIRST_READ_MISS_MS = 2000;
export const READ_HIT_SLEEP_MS = 200;
const MAX_REVISION = 281474976710656; // 2^48, inclusive in lib5
const MAX_DATA = 64;

/**
 * Dart's HTTP registry (PORTALS.md §2.6). Reads go through lib5's `RegistryService.get`: a key read
 * for the first time since start waits for peers (≈2 s if missing, 200 ms if stored); later reads
 * answer from the local copy at once (a missing one re-queries and waits 200 ms). Writes check in
 * lib5's order and reject an equal revision.
 */
export class DartRegistry {
  /** Keys read since start (lib5's `subs`). */
  readonly #subscribed = new Set<string>();

  constructor(private readonly auth: DartAuthConfig) {}

  async get({ req, url, services }: Ctx): Promise<Reply> {
    await dartCheckAuth(req, url, 's5/registry/read', services, this.auth);
    const pkParam = url.searchParams.get('pk');
    if (pkParam === null) throw thrown(NULL_CHECK);
    const pk = b64Field(pkParam);
    services.stats.counters.registry.gets++;
    const key = bytesToHex(pk);
    if (this.#subscribed.has(key)) {
      if (!(await services.registry.get(pk))) {
        services.queryPeers(pk);
        await services.wait(READ_HIT_SLEEP_MS);
      }
    } else {
      this.#subscribed.add(key);
      services.queryPeers(pk);
      if (await services.registry.get(pk)) await services.wait(READ_HIT_SLEEP_MS);
      else await waitForEntry(services, pk, FIRST_READ_MISS_MS);
    }
    let found: StoredEntry | undefined = await services.registry.get(pk);
    if (found && services.faults.roll(services.faults.config.staleReadRate)) {
      services.stats.counters.faults.staleReads++;
      found = await services.registry.getPrevious(pk);
    }
    if (!found) return empty(404);
    return dartJson(registryEntryToJson(found.entry));
  }

  async post({ req, url, services }: Ctx): Promise<Reply> {
    await dartCheckAuth(req, url, 's5/registry/write', services, this.auth);
    const map = await dartJsonMap(req);
    const pk = b64Field(map['pk']);
    const revision = map['revision'];
    if (revision === undefined || revision === null) throw thrown(NULL_CHECK);
    if (typeof revision !== 'number' || !Number.isInteger(revision)) throw castError(revision, 'int');
    const data = b64Field(map['data']);
    const signature = b64Field(map['signature']);
    const { registry, stats, faults } = services;
    stats.counters.registry.sets++;
    const reject = (why: string) => {
      stats.counters.registry.setsRejected++;
      return thrown(why);
    };
    if (pk.length !== 33) throw reject('Invalid pubkey');
    if (pk[0] !== 0xed) throw reject('Only ed25519 keys are supported');
    if (revision < 0 || revision > MAX_REVISION) throw reject('Invalid revision');
    if (data.length > MAX_DATA) throw reject('Data too long');
    const entry: RegistryEntry = { publicKey: pk, revision, data, signature };
    if (signature.length !== 64 || !safeVerify(entry)) throw reject('Invalid signature found');
    if (faults.roll(faults.config.conflictRate)) {
      stats.counters.faults.conflicts++;
      throw reject('Revision number too low');
    }
    const outcome = await registry.set(entry, 'http').catch(() => {
      throw reject('Invalid revision'); // only reachable at the 2^48 edge our encoder refuses
    });
    if (!outcome.accepted) throw reject('Revision number too low');
    stats.counters.registry.setsAccepted++;
    return empty(204);
  }
}

function safeVerify(entry: RegistryEntry): boolean {
  return verifyEd25519Native(entry.publicKey, registryEntrySignedMessage(entry.revision, entry.data), entry.signature);
}

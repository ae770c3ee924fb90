import { empty, type Reply } from '../../http/reply.js';
import type { RequestContext } from '../../http/router.js';
import type { StoredEntry } from '../../registry-store.js';
import type { Services } from '../../services.js';
import { waitForEntry } from '../registry-wait.js';
import { bytesToHex, registryEntrySignedMessage, registryEntryToJson, type RegistryEntry } from '../../s5.js';
import { verifyEd25519Native } from '../../verify.js';
import { readAll } from '../dart/body.js';
import { GoDecodeError, goDecodeStruct, goJson, goRawUrlDecode, GoHttpError, MSG, s5Error } from './errors.js';

type Ctx = RequestContext<Services>;

const FIRST_READ_MISS_MS = 2000;
const READ_RETRY_MS = 200;
const MAX_REVISION = 281474976710656;

/**
 * LumeWeb's registry (PORTALS.md §2.6; libs5-go service/default/registry.go): GET and POST need a
 * token; a first read answers at once when stored, else polls ≈2 s; POST answers 200; rejections are
 * 500 `Error setting registry entry: <lib5 text>`.
 */
export class LumewebRegistry {
  readonly #subscribed = new Set<string>();

  async get({ url, services }: Ctx): Promise<Reply> {
    const pk = decode(url.searchParams.get('pk') ?? '', MSG.invalidFileFormat);
    services.stats.counters.registry.gets++;
    const key = bytesToHex(pk);
    if (this.#subscribed.has(key)) {
      if (!(await services.registry.get(pk))) {
        services.queryPeers(pk);
        await services.wait(READ_RETRY_MS);
      }
    } else {
      this.#subscribed.add(key);
      services.queryPeers(pk);
      if (!(await services.registry.get(pk))) await waitForEntry(services, pk, FIRST_READ_MISS_MS);
    }
    let found: StoredEntry | undefined = await services.registry.get(pk);
    if (found && services.faults.roll(services.faults.config.staleReadRate)) {
      services.stats.counters.faults.staleReads++;
      found = await services.registry.getPrevious(pk);
    }
    if (!found) return { status: 404 };
    return goJson(registryEntryToJson(found.entry));
  }

  async post({ req, services }: Ctx): Promise<Reply> {
    const { bytes } = await readAll(req, 1024 * 1024);
    const r = goDecodeStruct(Buffer.from(bytes).toString('utf8'), 'RegistrySetRequest', { pk: 'string', revision: 'uint64', data: 'string', signature: 'string' });
    const pk = decodeWith(r.pk as string, 'Error decoding public key');
    const data = decodeWith(r.data as string, 'Error decoding data');
    const signature = decodeWith(r.signature as string, 'Error decoding signature');
    const revision = r.revision as number;
    const { registry, stats, faults } = services;
    stats.counters.registry.sets++;
    const reject = (why: string) => {
      stats.counters.registry.setsRejected++;
      return s5Error(500, 'Error setting registry entry', why);
    };
    if (pk.length !== 33) throw reject('Invalid pubkey');
    if (pk[0] !== 0xed) throw reject('Only ed25519 keys are supported');
    if (revision > MAX_REVISION) throw reject('Invalid revision');
    if (data.length > 64) throw reject('Data too long');
    const entry: RegistryEntry = { publicKey: pk, revision, data, signature };
    if (!verifyEd25519Native(pk, registryEntrySignedMessage(revision, data), signature)) throw reject('Invalid signature found');
    if (faults.roll(faults.config.conflictRate)) {
      stats.counters.faults.conflicts++;
      throw reject('Revision number too low');
    }
    const outcome = await registry.set(entry, 'http').catch(() => {
      throw reject('Invalid revision');
    });
    if (!outcome.accepted) throw reject('Revision number too low');
    stats.counters.registry.setsAccepted++;
    return empty(200);
  }
}

function decode(s: string, message: string): Uint8Array {
  try {
    return goRawUrlDecode(s);
  } catch (err) {
    throw s5Error(400, message, err instanceof GoDecodeError ? err.message : String(err));
  }
}

/** `NewS5Error(ErrKeyInvalidFileFormat, err, "<custom>")`: the custom message replaces the default. */
function decodeWith(s: string, custom: string): Uint8Array {
  try {
    return goRawUrlDecode(s);
  } catch (err) {
    throw new GoHttpError(400, `${custom}: ${err instanceof GoDecodeError ? err.message : String(err)}`);
  }
}

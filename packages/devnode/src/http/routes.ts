import type { AuthFlow } from '../accounts.js';
import { parseFaultInput } from '../faults.js';
import type { StoredEntry } from '../registry-store.js';
import type { Services } from '../services.js';
import { badRequest, DevnodeError, notFound, tooLarge } from '../errors.js';
import {
  BlobId,
  blake3,
  bytesToHex,
  fromBase64Url,
  InvalidSignatureError,
  registryEntryFromJson,
  registryEntryToJson,
  ValidationError,
  type RegistryEntry,
} from '../s5.js';
import { mediaType, readBody, readJson } from './body.js';
import { readMultipartFile } from './multipart.js';
import { empty, json, text, type Reply } from './reply.js';
import { Router, type RequestContext, type Route } from './router.js';

export type { Services };

type Ctx = RequestContext<Services>;

/** Exact text clients match on (PROTOCOL §6.2/§6.3). */
export const REVISION_TOO_LOW = 'Revision number too low';
export const CURRENT_REVISION_HEADER = 'x-s5-current-revision';
const JSON_LIMIT = 64 * 1024;
/** Room for multipart boundaries and part headers on top of the blob itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** The devnode profile's permissive API (PROTOCOL.md as the devnode reads it), plus the admin routes. */
export function buildRouter(): Router<Services> {
  const r = new Router<Services>();
  const api = (method: Route<Services>['method'], pattern: string, handle: (ctx: Ctx) => Promise<Reply>) =>
    r.add({ method, pattern, handle, faultable: true, adminOnly: false });

  for (const flow of ['register', 'login'] as const) {
    api('GET', `/s5/account/${flow}`, async (ctx) => accountChallenge(ctx, flow));
    api('POST', `/s5/account/${flow}`, async (ctx) => accountResponse(ctx, flow));
  }
  api('POST', '/s5/upload', upload);
  api('GET', '/s5/blob/:id', downloadBlob);
  api('GET', '/s5/registry', registryGet);
  api('POST', '/s5/registry', registryPost);
  api('HEAD', '/s5/registry', async () => empty(200));
  return addAdminRoutes(r);
}

/**
 * Test-control routes (loopback only, never faulted). Every profile has them: they are the
 * devnode's own, not part of any portal's API.
 */
export function addAdminRoutes(r: Router<Services>): Router<Services> {
  const admin = (method: Route<Services>['method'], pattern: string, handle: (ctx: Ctx) => Promise<Reply>) =>
    r.add({ method, pattern, handle, faultable: false, adminOnly: true });
  admin('GET', '/admin/stats', async ({ services }) => json(200, services.stats.snapshot()));
  admin('GET', '/admin/faults', async ({ services }) => json(200, services.faults.config));
  admin('POST', '/admin/faults', async ({ req, services }) => {
    services.faults.set(parseFaultInput(await readJson(req, JSON_LIMIT)));
    return json(200, services.faults.config);
  });
  admin('POST', '/admin/reset-stats', async ({ services }) => {
    services.stats.reset();
    return json(200, { ok: true });
  });
  admin('POST', '/admin/registry', adminRegistrySet);
  return r;
}

// ---- accounts -----------------------------------------------------------------------------------

function accountChallenge({ url, services }: Ctx, flow: AuthFlow): Reply {
  return json(200, { challenge: services.accounts.challenge(flow, url.searchParams.get('pubKey')) });
}

async function accountResponse({ req, services }: Ctx, flow: AuthFlow): Promise<Reply> {
  const body = await readJson(req, JSON_LIMIT);
  const token = await services.accounts.respond(flow, body, req.headers.host);
  // Both forms: s5.js login reads only the JSON body, register prefers the cookie (PROTOCOL §4.2).
  return json(200, { authToken: token }, { 'set-cookie': `s5-auth-token=${token}; Path=/; Max-Age=2592000; HttpOnly` });
}

// ---- blobs --------------------------------------------------------------------------------------

async function upload({ req, url, services }: Ctx): Promise<Reply> {
  await services.accounts.authenticate(req.headers, url);
  const limit = services.maxBlobBytes;
  let bytes: Uint8Array;
  if (mediaType(req) === 'multipart/form-data') {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit + MULTIPART_OVERHEAD) {
      req.resume();
      throw tooLarge(`upload of ${declared} bytes exceeds the limit of ${limit} bytes`);
    }
    bytes = await readMultipartFile(req, limit);
  } else {
    bytes = await readBody(req, limit);
  }
  const digest = blake3(bytes);
  const created = await services.blobs.put(bytesToHex(digest), bytes);
  services.stats.counters.uploads++;
  if (created) services.stats.blobStored(bytes.length);
  return json(200, { cid: BlobId.fromHash(digest, bytes.length).toString('z') });
}

async function downloadBlob({ params, services }: Ctx): Promise<Reply> {
  // Anything after the first '.' is an extension hint (PROTOCOL §5.4); the size in the id is ignored.
  let idText = params.id!;
  let id: BlobId;
  try {
    idText = decodeURIComponent(idText).split('.')[0]!;
    id = BlobId.parse(idText);
  } catch (cause) {
    throw badRequest(`"${idText}" is not a blob id (multibase z/b/u/f of 0x5b 0x82 ‖ 0x1e|0x1f ‖ digest ‖ size)`, cause);
  }
  const hex = id.hashHex;
  const bytes = await services.blobs.get(hex);
  if (!bytes) throw notFound(`blob ${hex} not found`);
  if (services.verifyBlobsOnRead && bytesToHex(blake3(bytes)) !== hex) {
    // Never serve bytes that are not what the id promises; take the file out so a re-upload heals it.
    const size = await services.blobs.quarantine(hex);
    if (size !== undefined) services.stats.blobRemoved(size);
    services.log(`blob ${hex} failed BLAKE3 verification on read; quarantined`);
    throw new DevnodeError(500, 'CORRUPT_BLOB', `stored blob ${hex} is corrupt and was taken out of service`);
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' },
    body: bytes,
  };
}

// ---- registry -----------------------------------------------------------------------------------

function parsePk(value: string | null): Uint8Array {
  if (!value) throw badRequest('missing ?pk= (base64url of the 33-byte 0xed public key)');
  let pk: Uint8Array;
  try {
    pk = fromBase64Url(value, 'pk');
  } catch (cause) {
    throw badRequest('pk is not valid base64url (RFC 4648 §5, no padding)', cause);
  }
  if (pk.length !== 33) throw badRequest(`Invalid public key size: expected 33 bytes, got ${pk.length}`);
  if (pk[0] !== 0xed) throw badRequest('Invalid public key type: only ed25519 (0xed) keys are supported');
  return pk;
}

async function registryGet({ url, services }: Ctx): Promise<Reply> {
  const pk = parsePk(url.searchParams.get('pk'));
  services.stats.counters.registry.gets++;
  let found: StoredEntry | undefined = await services.registry.get(pk);
  if (found && services.faults.roll(services.faults.config.staleReadRate)) {
    services.stats.counters.faults.staleReads++;
    found = await services.registry.getPrevious(pk);
  }
  if (!found) return empty(404);
  return json(200, registryEntryToJson(found.entry));
}

function parseEntryJson(body: unknown): RegistryEntry {
  try {
    return registryEntryFromJson(body);
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new DevnodeError(400, 'VALIDATION', describeIssues(err), { cause: err });
    }
    throw err;
  }
}

function describeIssues(err: ValidationError): string {
  return err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

function revisionTooLow(current: StoredEntry | undefined): Reply {
  return text(500, REVISION_TOO_LOW, current ? { [CURRENT_REVISION_HEADER]: String(current.entry.revision) } : {});
}

async function registryPost({ req, url, services }: Ctx): Promise<Reply> {
  await services.accounts.authenticate(req.headers, url);
  const entry = parseEntryJson(await readJson(req, JSON_LIMIT));
  const { registry, stats, faults } = services;
  stats.counters.registry.sets++;
  try {
    if (faults.roll(faults.config.conflictRate)) {
      // Spurious rejection: validate as usual (a bad entry still gets its 400), store nothing.
      registry.validate(entry);
      stats.counters.faults.conflicts++;
      stats.counters.registry.setsRejected++;
      return revisionTooLow(await registry.get(entry.publicKey));
    }
    const outcome = await registry.set(entry, 'http');
    if (!outcome.accepted) {
      stats.counters.registry.setsRejected++;
      return revisionTooLow(outcome.current);
    }
    stats.counters.registry.setsAccepted++;
    return empty(204);
  } catch (err) {
    stats.counters.registry.setsRejected++;
    throw mapRegistryError(err);
  }
}

function mapRegistryError(err: unknown): unknown {
  if (err instanceof InvalidSignatureError) return new DevnodeError(400, 'INVALID_SIGNATURE', 'Invalid signature', { cause: err });
  if (err instanceof ValidationError) return new DevnodeError(400, 'VALIDATION', describeIssues(err), { cause: err });
  return err;
}

async function adminRegistrySet({ req, services }: Ctx): Promise<Reply> {
  const entry = parseEntryJson(await readJson(req, JSON_LIMIT));
  try {
    await services.registry.set(entry, 'admin', { trusted: true });
  } catch (err) {
    throw mapRegistryError(err);
  }
  services.log(`admin: stored registry entry revision ${entry.revision} WITHOUT signature or revision checks`);
  return empty(204);
}

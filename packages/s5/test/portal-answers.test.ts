/**
 * The portal texts of PORTALS.md §2.9 (Dart 500s, LumeWeb http.Error texts) → typed errors. Pure
 * classification; the same answers over the wire are covered by the profile suites.
 */
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  BlobNotAvailableError,
  classifyVersionAnswer,
  errorForAnswer,
  InvalidSignatureError,
  InviteRequiredError,
  isTransientError,
  NotFoundError,
  PortalRejectedError,
  PortalUnavailableError,
  RevisionTooLowError,
  UploadTooLargeError,
  ValidationError,
  type PortalOperation,
} from '../src/index.js';

const err = (status: number, text: string, op: PortalOperation = 'other') => errorForAnswer(status, text, { op, what: op });

describe('Dart definite 500 texts are typed and never transient', () => {
  const cases: [string, PortalOperation, new (...a: never[]) => Error][] = [
    ['This API only supports a maximum size of 34 MB', 'upload', UploadTooLargeError],
    ['This API only supports a maximum size of 32 MiB', 'upload', UploadTooLargeError],
    ['No store configured, uploads not possible', 'upload', PortalRejectedError],
    ['Invalid pubkey', 'registry-set', ValidationError],
    ['Only ed25519 keys are supported', 'registry-set', ValidationError],
    ['Invalid revision', 'registry-set', ValidationError],
    ['Data too long', 'registry-set', ValidationError],
    ['Invalid signature found', 'registry-set', InvalidSignatureError],
    ['Revision number too low', 'registry-set', RevisionTooLowError],
    ['This is not a raw CID', 'blob', PortalRejectedError],
    ['Multibase encoding x not supported', 'blob', PortalRejectedError],
    ['Invalid hash found', 'upload', PortalRejectedError],
    ['Invalid offset', 'upload', PortalRejectedError],
    ["type 'Null' is not a subtype of type 'String' in type cast", 'registry-set', PortalRejectedError],
    ['Null check operator used on a null value', 'other', PortalRejectedError],
    ['FormatException: Unexpected character', 'other', PortalRejectedError],
  ];
  for (const [text, op, type] of cases) {
    it(`500 "${text}" → ${type.name}`, () => {
      const e = err(500, text, op);
      expect(e).toBeInstanceOf(type);
      expect(isTransientError(e)).toBe(false);
    });
  }
  it('the upload limit is read from the text', () => {
    expect((err(500, 'This API only supports a maximum size of 32 MiB', 'upload') as UploadTooLargeError).maxBytes).toBe(33_554_432);
    expect((err(500, 'This API only supports a maximum size of 34 MB', 'upload') as UploadTooLargeError).maxBytes).toBe(34_000_000);
  });
});

describe('"not available now" and conflicts, on both implementations', () => {
  it('a blob miss (Dart, LumeWeb, /s5/download retries) is BLOB_NOT_AVAILABLE, not transient', () => {
    for (const text of [
      'Could not download raw file: Timed out after 0:01:00.000000 HxAbc',
      'error fetching blob: Could not download raw file: Timed out after 1m0s abc',
      'Too many retries',
    ]) {
      const e = err(500, text, 'blob');
      expect(e).toBeInstanceOf(BlobNotAvailableError);
      expect(isTransientError(e)).toBe(false);
    }
  });
  it('LumeWeb prefixes the conflict text: matched as a substring', () => {
    expect(err(500, 'Error setting registry entry: Revision number too low', 'registry-set')).toBeInstanceOf(RevisionTooLowError);
  });
  it('unknown 500s, empty 500s (LumeWeb panics), 502, 429 are transient', () => {
    for (const [status, text] of [[500, 'something odd'], [500, ''], [502, 'Bad Gateway'], [429, '']] as const) {
      expect(isTransientError(err(status, text))).toBe(true);
      expect(err(status, text)).toBeInstanceOf(PortalUnavailableError);
    }
  });
  it('a bare 404 is NotFound; 401 is AuthError with the status', () => {
    expect(err(404, '', 'blob')).toBeInstanceOf(NotFoundError);
    expect((err(401, 'Invalid JWT', 'registry-get') as AuthError).status).toBe(401);
  });
});

describe('account answers', () => {
  const reason = (status: number, text: string, op: PortalOperation) => (err(status, text, op) as AuthError).reason;
  it('not registered: Dart login POST 500, LumeWeb challenge GET 404', () => {
    expect(reason(500, 'This public key is not registered on this portal', 'login-response')).toBe('not-registered');
    expect(reason(404, 'The specified resource was not found.: public key does not exist', 'login-challenge')).toBe('not-registered');
  });
  it('lost challenges on both implementations mean "retry the exchange"', () => {
    expect(reason(500, 'Invalid challenge', 'login-response')).toBe('challenge');
    expect(reason(500, 'No challenge exists for this pubKey', 'register-response')).toBe('challenge');
    expect(reason(404, 'The specified resource was not found.: record not found', 'login-response')).toBe('challenge');
    expect(reason(400, 'Data integrity check failed.', 'login-response')).toBe('challenge');
    expect(reason(400, 'Invalid or unsupported operation requested.', 'register-response')).toBe('challenge');
  });
  it('already registered: Dart SQLite constraint 500, LumeWeb 409', () => {
    expect(reason(500, 'SqliteException(2067): UNIQUE constraint failed: PublicKey.key', 'register-response')).toBe('already-registered');
    expect(reason(409, 'Conflict: email already exists', 'register-response')).toBe('already-registered');
  });
  it('a 401 on register is INVITE_REQUIRED, saying whether a code was sent', () => {
    const none = errorForAnswer(401, '{"error":"No auth token found"}', { op: 'register-challenge', what: 'x', hadInvite: false });
    expect(none).toBeInstanceOf(InviteRequiredError);
    const bad = errorForAnswer(401, '{"error":"Invalid auth token"}', { op: 'register-response', what: 'x', hadInvite: true });
    expect((bad as InviteRequiredError).shortMessage).toMatch(/refused the invite/);
  });
  it("Dart without accounts answers its route-miss text: no login needed", () => {
    expect(reason(404, '404 not found', 'login-challenge')).toBe('accounts-disabled');
  });
  it('a bad signature is a definite rejection', () => {
    expect(reason(500, 'Invalid signature', 'login-response')).toBe('rejected');
    expect(reason(401, 'Authorization failed or insufficient permissions.', 'login-response')).toBe('rejected');
  });
});

describe('implementation probe (GET /s5/version)', () => {
  it('tells Dart from LumeWeb from anything else', () => {
    expect(classifyVersionAnswer(200, '{"node":"1.0.0-pre.1"}')).toEqual({ kind: 'dart', version: '1.0.0-pre.1' });
    expect(classifyVersionAnswer(200, '{"node":"0.14.1"}').kind).toBe('dart');
    expect(classifyVersionAnswer(200, 'development')).toEqual({ kind: 'lumeweb', version: 'development' });
    expect(classifyVersionAnswer(404, '404 not found').kind).toBe('unknown');
    expect(classifyVersionAnswer(200, '<html>proxy</html>').kind).toBe('unknown');
    expect(classifyVersionAnswer(200, '{"version":"x"}').kind).toBe('unknown');
  });
});

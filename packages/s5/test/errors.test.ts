// The error contract: a typed `code` union, messages that say each thing once, and a brand that
// survives two copies of the library in one process (the ESM and a CJS build, like a dual-package
// install where one dependency require()s us and the app imports us).
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  AuthError,
  InvalidSeedPhraseError,
  NotFoundError,
  S5ChatError,
  S5CHAT_ERROR_BRAND,
  ValidationError,
  entropyFromSeedPhrase,
  isS5ChatError,
  validateSeedPhrase,
  type S5ChatErrorCode,
} from '../src/index.js';

type Lib = typeof import('../src/index.js');

describe('S5ChatError messages', () => {
  it('says a single validation issue once (no "Details:" repeating it)', () => {
    const e = new ValidationError([{ path: 'message.role', message: 'expected a role' }]);
    expect(e.message).toBe('Invalid input: message.role: expected a role');
    expect(e.message).toBe(e.shortMessage);
    expect(e.details).toEqual({});
  });

  it('lists several issues once, in the details', () => {
    const e = new ValidationError([
      { path: 'a', message: 'x' },
      { path: 'b', message: 'y' },
    ]);
    expect(e.shortMessage).toBe('Invalid input (2 issues).');
    expect(e.message).toBe('Invalid input (2 issues).\n\nDetails: a: x; b: y');
    expect(e.message.split('a: x').length).toBe(2);
  });

  it('renders structured details as key=value, a text detail as is, and skips what the short message says', () => {
    const e = new S5ChatError('TIMEOUT', 'Write timed out.', { details: { operationId: 'op-1', messageIds: ['m1', 'm2'], text: 'slow node' } });
    expect(e.details.operationId).toBe('op-1');
    expect(e.message).toBe('Write timed out.\n\nDetails: operationId=op-1; messageIds=m1,m2; slow node');
    expect(new AuthError('Portal said 401', { details: '401' }).message).toBe('Portal said 401');
    expect(new NotFoundError('Blob z', { details: 'gone' }).details).toEqual({ text: 'gone' });
  });
});

describe('S5ChatError codes and guards', () => {
  it('types code as the S5ChatErrorCode union and narrows with isS5ChatError(e, code)', () => {
    const e: unknown = new ValidationError('bad');
    expectTypeOf<S5ChatError['code']>().toEqualTypeOf<S5ChatErrorCode>();
    if (isS5ChatError(e, 'VALIDATION')) expectTypeOf(e.code).toEqualTypeOf<'VALIDATION'>();
    expect(isS5ChatError(e, 'VALIDATION')).toBe(true);
    expect(isS5ChatError(e, 'TIMEOUT')).toBe(false);
    expect(isS5ChatError(new Error('plain'))).toBe(false);
    expect(isS5ChatError({ code: 'VALIDATION', message: 'lookalike' })).toBe(false);
    expect(isS5ChatError(null)).toBe(false);
  });

  it('has per-class static guards that tell the kinds apart', () => {
    const v = new ValidationError('bad');
    expect(ValidationError.is(v)).toBe(true);
    expect(S5ChatError.is(v)).toBe(true);
    expect(InvalidSeedPhraseError.is(v)).toBe(false);
    expect(AuthError.is(new Error('x'))).toBe(false);
    expect(v).toBeInstanceOf(Error);
    expect(Object.keys(v)).not.toContain(String(S5CHAT_ERROR_BRAND)); // the brand is not an enumerable field
    expect((v as unknown as Record<symbol, unknown>)[Symbol.for('s5chat.error')]).toBe(true);
  });

  it('a switch over code is exhaustive (compile-time check)', () => {
    const describe = (code: S5ChatErrorCode): string => {
      switch (code) {
        case 'VALIDATION':
          return 'fix input';
        default:
          return code; // still S5ChatErrorCode: no string leaks in
      }
    };
    expect(describe(new ValidationError('x').code)).toBe('fix input');
  });
});

describe('errors across two copies of the library (ESM source + a CJS build)', () => {
  let dir: string;
  let cjs: Lib;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's5-errors-cjs-'));
    const out = join(dir, 'index.cjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      outfile: out,
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'package.json'), '{}');
    cjs = createRequire(join(dir, 'x.js'))(out) as Lib;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a CJS-thrown error passes the ESM guards, static guards and instanceof', () => {
    expect(cjs.ValidationError).not.toBe(ValidationError); // really two copies
    let thrown: unknown;
    try {
      cjs.entropyFromSeedPhrase('one two three');
    } catch (e) {
      thrown = e;
    }
    expect(isS5ChatError(thrown)).toBe(true);
    expect(isS5ChatError(thrown, 'INVALID_SEED_PHRASE')).toBe(true);
    expect(InvalidSeedPhraseError.is(thrown)).toBe(true);
    expect(thrown instanceof InvalidSeedPhraseError).toBe(true);
    expect(thrown instanceof S5ChatError).toBe(true);
    expect(thrown instanceof ValidationError).toBe(false);
    // and the other way round
    const esm = new ValidationError('x');
    expect(cjs.isS5ChatError(esm, 'VALIDATION')).toBe(true);
    expect(esm instanceof cjs.ValidationError).toBe(true);
  });
});

describe('seed phrase errors say what to do', () => {
  const catchErr = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as InvalidSeedPhraseError;
    }
    throw new Error('did not throw');
  };

  it('a 12-word (BIP-39) phrase points to generateSeedPhrase()', () => {
    const bip39 = 'abandon ability able about above absent absorb abstract absurd abuse access accident';
    const e = catchErr(() => validateSeedPhrase(bip39));
    expect(e.code).toBe('INVALID_SEED_PHRASE');
    expect(e.problem).toBe('word-count');
    expect(e.shortMessage).toMatch(/^S5 phrases have 15 words, this one has 12 .*BIP-39.*; make one with generateSeedPhrase\(\)\.$/);
    expect(e.message).toBe(e.shortMessage);
  });

  it('names the offending word for a typo', () => {
    const e = catchErr(() => entropyFromSeedPhrase('qqqq ' + 'abc '.repeat(14)));
    expect(e.problem).toBe('unknown-word');
    expect(e.shortMessage).toContain('Word 1 ("qqqq")');
    expect(catchErr(() => validateSeedPhrase(42 as never)).problem).toBe('not-a-string');
  });
});

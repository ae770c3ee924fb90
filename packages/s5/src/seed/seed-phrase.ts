import { randomBytes } from '../crypto/random.js';
import { InvalidSeedPhraseError } from '../errors.js';
import { assertBytes } from '../encoding/bytes.js';
import { blake3 } from '../crypto/blake3.js';
import { SEED_WORDLIST } from './wordlist.js';

/**
 * S5 15-word seed phrases (PROTOCOL §2): 13 entropy words (12 × 10 bits + 1 × 8 bits = 128 bits,
 * MSB-first) followed by 2 checksum words (the top 20 bits of BLAKE3(entropy)). Words are identified
 * by their first three letters only, exactly like s5.js and lib5.
 */

export const SEED_PHRASE_WORDS = 15;
export const SEED_ENTROPY_BYTES = 16;
const ENTROPY_WORDS = 13;

const indexByPrefix: ReadonlyMap<string, number> = new Map(SEED_WORDLIST.map((w, i) => [w.slice(0, 3), i]));

/** Split 16 bytes into 13 word indices (12 × 10 bits, then 8 bits), MSB first. */
function entropyToIndices(entropy: Uint8Array): number[] {
  const indices: number[] = [];
  let acc = 0;
  let bits = 0;
  let byte = 0;
  for (let w = 0; w < ENTROPY_WORDS; w++) {
    const width = w === ENTROPY_WORDS - 1 ? 8 : 10;
    while (bits < width) {
      acc = (acc << 8) | entropy[byte++]!;
      bits += 8;
    }
    indices.push((acc >>> (bits - width)) & ((1 << width) - 1));
    bits -= width;
    acc &= (1 << bits) - 1;
  }
  return indices;
}

function indicesToEntropy(indices: number[]): Uint8Array {
  const out = new Uint8Array(SEED_ENTROPY_BYTES);
  let acc = 0;
  let bits = 0;
  let byte = 0;
  indices.forEach((index, w) => {
    const width = w === ENTROPY_WORDS - 1 ? 8 : 10;
    acc = (acc << width) | index;
    bits += width;
    while (bits >= 8) {
      out[byte++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
      acc &= (1 << bits) - 1;
    }
  });
  return out;
}

/** The two checksum word indices: the top 10 and next 10 bits of BLAKE3(entropy). */
export function seedChecksumIndices(entropy16: Uint8Array): [number, number] {
  const h = blake3(entropy16);
  return [(h[0]! << 2) | (h[1]! >> 6), ((h[1]! & 0x3f) << 4) | (h[2]! >> 4)];
}

/** Encode 16 bytes of entropy as a 15-word phrase. */
export function seedPhraseFromEntropy(entropy16: Uint8Array): string {
  assertBytes(entropy16, 'entropy', SEED_ENTROPY_BYTES);
  const indices = [...entropyToIndices(entropy16), ...seedChecksumIndices(entropy16)];
  return indices.map((i) => SEED_WORDLIST[i]!).join(' ');
}

/** A new phrase from 16 bytes of CSPRNG entropy (equivalent to s5.js's 26-byte draw, PROTOCOL §2). */
export function generateSeedPhrase(): string {
  return seedPhraseFromEntropy(randomBytes(SEED_ENTROPY_BYTES));
}

/**
 * Validate a phrase and return its 16 bytes of entropy. Tolerates case and extra whitespace and
 * accepts 3-letter prefixes; throws {@link InvalidSeedPhraseError} naming the offending word.
 */
export function entropyFromSeedPhrase(phrase: string): Uint8Array {
  if (typeof phrase !== 'string') {
    throw new InvalidSeedPhraseError('A seed phrase is a string of 15 words; make one with generateSeedPhrase().', {
      problem: 'not-a-string',
    });
  }
  const trimmed = phrase.trim().toLowerCase();
  const words = trimmed === '' ? [] : trimmed.split(/\s+/);
  if (words.length !== SEED_PHRASE_WORDS) {
    // 12/18/24 words is almost always a BIP-39 wallet phrase: say so, it is the common mistake.
    const bip39 = [12, 18, 24].includes(words.length) ? ` (looks like a BIP-39 wallet phrase)` : '';
    throw new InvalidSeedPhraseError(
      `S5 phrases have ${SEED_PHRASE_WORDS} words, this one has ${words.length}${bip39}; make one with generateSeedPhrase().`,
      { problem: 'word-count', s5jsMessage: `Phrase must be '${SEED_PHRASE_WORDS}' words long, was '${words.length}'` },
    );
  }
  const indices: number[] = [];
  words.forEach((word, i) => {
    if (word.length < 3) {
      throw new InvalidSeedPhraseError(`Word ${i + 1} ("${word}") is too short: S5 words have at least 3 letters.`, {
        problem: 'short-word',
        s5jsMessage: `Word ${i + 1} is not at least 3 letters long`,
      });
    }
    const prefix = word.slice(0, 3);
    const index = indexByPrefix.get(prefix);
    if (index === undefined) {
      throw new InvalidSeedPhraseError(
        `Word ${i + 1} ("${word}") is not in the S5 word list; check it for a typo.`,
        { problem: 'unknown-word', s5jsMessage: `Unrecognized prefix "${prefix}" at word ${i + 1}, not found in dictionary` },
      );
    }
    indices.push(index);
  });
  if (indices[ENTROPY_WORDS - 1]! >= 256) {
    throw new InvalidSeedPhraseError(
      `Word 13 ("${words[ENTROPY_WORDS - 1]}") must be among the first 256 of the list; check for a typo.`,
      { problem: 'word-13-range', s5jsMessage: 'Prefix for word 13 must be found in the first 256 words of the dictionary' },
    );
  }
  const entropy = indicesToEntropy(indices.slice(0, ENTROPY_WORDS));
  const expected = seedChecksumIndices(entropy);
  for (let c = 0; c < 2; c++) {
    const position = ENTROPY_WORDS + c;
    if (indices[position] !== expected[c]) {
      throw new InvalidSeedPhraseError(
        `Word ${position + 1} ("${words[position]}") does not match the checksum; check for a typo.`,
        { problem: 'checksum', s5jsMessage: `Word "${words[position]}" is not a valid checksum for the seed` },
      );
    }
  }
  return entropy;
}

/**
 * Throw an {@link InvalidSeedPhraseError} saying what is wrong with `phrase` (and how to get a valid
 * one), or return normally. Use it to check user input before `createSdk({ seedPhrase })`.
 */
export function validateSeedPhrase(phrase: string): void {
  entropyFromSeedPhrase(phrase);
}

/** True if `phrase` is a valid S5 seed phrase. */
export function isValidSeedPhrase(phrase: string): boolean {
  try {
    entropyFromSeedPhrase(phrase);
    return true;
  } catch {
    return false;
  }
}

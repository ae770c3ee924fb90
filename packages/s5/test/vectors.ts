// Loads the shared compatibility contract (/work/shared/s5/vectors.json) from the repository's sibling
// `shared/` folder: test/ → packages/s5 → packages → main → (parent) /shared.
import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const V: any = JSON.parse(
  readFileSync(new URL('../../../../shared/s5/vectors.json', import.meta.url), 'utf8'),
);

export const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const wordlistPath = new URL('../../../../shared/s5/wordlist.txt', import.meta.url);

/**
 * The simulated assistant. There is no model host in this harness, so replies
 * are generated from a fixed vocabulary by a seeded PRNG: the same prompt,
 * length and seed always give the same tokens, which is what the e2e tests
 * and manual reproductions need.
 */
import { seededRandom } from '@s5chat/s5';

const WORDS = [
  'storage', 'revision', 'merge', 'segment', 'portal', 'registry', 'message', 'append', 'durable',
  'network', 'device', 'session', 'stream', 'token', 'conflict', 'retry', 'union', 'ordered',
  'encrypted', 'blob', 'identity', 'signature', 'node', 'head', 'write', 'group', 'commit',
  'the', 'a', 'and', 'is', 'every', 'never', 'lost', 'safe', 'fast', 'each', 'one', 'two',
];

/** FNV-1a over the prompt, so the reply depends on what was asked. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface ReplyOptions {
  /** Number of tokens in the reply. */
  length: number;
  /** Extra seed so two runs can differ on purpose. */
  seed?: number;
}

/** The reply's tokens (each token is a word plus its leading space). */
export function simulatedReply(prompt: string, { length, seed = 0 }: ReplyOptions): string[] {
  const rand = seededRandom(hashString(prompt) ^ seed);
  const tokens: string[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(length)); i++) {
    const word = WORDS[Math.floor(rand() * WORDS.length)] as string;
    tokens.push(i === 0 ? word[0]!.toUpperCase() + word.slice(1) : ` ${word}`);
  }
  tokens[tokens.length - 1] += '.';
  return tokens;
}

/**
 * Yields the tokens one by one, `msPerToken` apart. Stops early (without
 * throwing) when `signal` aborts, so ending a session mid-stream persists
 * the partial reply instead of losing it.
 */
export async function* streamTokens(
  tokens: readonly string[],
  msPerToken: number,
  signal?: AbortSignal,
  onToken?: (token: string, index: number) => void,
): AsyncGenerator<string> {
  for (let i = 0; i < tokens.length; i++) {
    if (signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, msPerToken);
      signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    if (signal?.aborted) return;
    const token = tokens[i] as string;
    onToken?.(token, i);
    yield token;
  }
}

/**
 * mulberry32: a tiny seedable PRNG returning uniform numbers in [0, 1). Written here rather than
 * pulled in as a dependency because its users (devnode fault injection, the in-memory backend's
 * faults, the harness's simulated assistant, jitter in replayable tests) only need a replayable
 * uniform stream, not cryptographic quality, and the algorithm is six lines. One copy for the
 * whole workspace: the lowest package owns it.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

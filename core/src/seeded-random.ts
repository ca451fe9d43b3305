// One seeded generator for workloads, demos and tests: the same stream for the same seed, so a
// benchmark's dataset or a demo's history is the same on every machine. Numerical Recipes' 32-bit
// LCG: fast and good enough for traffic shapes, never for anything secret.

/** Numbers in (0, 1): never 0, so Math.log and Box-Muller can take them as they are. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

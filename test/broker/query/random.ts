/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so fuzz runs are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

/** One to three random edits (insert, delete, replace, duplicate a slice) of s. */
export function mutate(s: string, rand: () => number, alphabet: string): string {
  let out = s;
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rand() * (out.length + 1));
    const ch = alphabet[Math.floor(rand() * alphabet.length)];
    switch (Math.floor(rand() * 4)) {
      case 0:
        out = out.slice(0, i) + ch + out.slice(i);
        break;
      case 1:
        out = out.slice(0, i) + out.slice(i + 1);
        break;
      case 2:
        out = out.slice(0, i) + ch + out.slice(i + 1);
        break;
      default: {
        const j = Math.min(out.length, i + Math.floor(rand() * 6));
        out = out.slice(0, j) + out.slice(i, j) + out.slice(j);
      }
    }
  }
  return out;
}

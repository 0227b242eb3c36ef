/**
 * "Did you mean …?" for names from a closed list: the candidate nearest to a misspelling
 * by optimal string alignment distance (Damerau-Levenshtein where no substring is edited
 * twice), so one swapped pair of letters costs one edit, as a typist makes it.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rows of the table suffice: the swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/** Misspellings further away than this are not guessed at: the guess would more often be wrong than right. */
export const MAX_SUGGESTION_DISTANCE = 2;

/**
 * The candidate nearest to `word` within `maxDistance` edits, ignoring letter case first
 * (`isnoneof` is `isNoneOf`), or undefined when none is that near or `word` is one of them.
 * Ties go to the candidate listed first.
 */
export function didYouMean(word: string, candidates: Iterable<string>, maxDistance = MAX_SUGGESTION_DISTANCE): string | undefined {
  // A short word is near too many others: two edits turn `eq` into any operator of two letters.
  const within = Math.min(maxDistance, Math.max(1, Math.floor(word.length / 3)));
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === word) return undefined;
    const folded = editDistance(lower, c.toLowerCase());
    if (folded > within) continue;
    // Case differences count for a little, so an exact-case neighbour wins a tie.
    const score = folded * 2 + (editDistance(word, c) > folded ? 1 : 0);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

// "Did you mean" suggestions for misspelt keys, program names, CLI verbs and flags. No imports: the CLI
// bundle and the config loader both use it.

const MAX_DISTANCE = 2;

/** The number of single-character insertions, deletions and substitutions that turn a into b. */
export function getEditDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate: a case-insensitive match first, else the nearest within 2 edits. */
export function findClosest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = MAX_DISTANCE + 1;
  for (const candidate of candidates) {
    const distance = getEditDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or an empty string without a close candidate. */
export function formatDidYouMean(word: string, candidates: readonly string[]): string {
  const closest = findClosest(word, candidates);
  return closest === undefined ? '' : ` (did you mean "${closest}"?)`;
}

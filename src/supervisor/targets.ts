import { findClosest } from '../did-you-mean.js';
import { BadRequestError, TendError } from '../errors.js';

// The one place a NAME that users write becomes programs: a program's name, a program key (all its
// instances: `web` → web-0, web-1, …), `all`, or several of these separated by commas. Used by
// every route that takes NAME (start, stop, restart, delete, signal, logs, show, events, ls).

export interface Addressable {
  readonly name: string;
  /** The key in the config file (`web` for web-0); the name itself for a single program. */
  readonly key: string;
  readonly instance: number | null;
}

export class TargetNotFoundError extends TendError {
  constructor(word: string, suggestion: string | undefined) {
    super(
      'NOT_FOUND',
      `No program named "${word}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`,
    );
  }
}

/** Program names in the order they were found (instances by number), each once. */
export function resolveTargets(target: string, programs: readonly Addressable[]): string[] {
  const found = new Set<string>();
  for (const word of target.split(',')) {
    if (word === '')
      throw new BadRequestError('name', `expected program names separated by commas, got "${target}"`);
    if (word === 'all') {
      for (const program of programs) found.add(program.name);
      continue;
    }
    const exact = programs.find((program) => program.name === word);
    if (exact) {
      found.add(exact.name);
      continue;
    }
    const instances = programs
      .filter((program) => program.key === word)
      .sort((a, b) => (a.instance ?? 0) - (b.instance ?? 0));
    if (instances.length === 0) {
      const names = [...new Set(programs.flatMap((program) => [program.name, program.key]))];
      throw new TargetNotFoundError(word, findClosest(word, names));
    }
    for (const instance of instances) found.add(instance.name);
  }
  return [...found];
}

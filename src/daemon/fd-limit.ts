import { readFileSync } from 'node:fs';

// The daemon holds two FIFO ends per program, plus its database, socket and clients. Node raises
// the soft fd limit to the hard one when it starts (so `ulimit -S -n 64` does not bite), but the
// hard limit is what it is: the daemon says it when it starts, for whoever reads daemon.log after
// an EMFILE.

/** The soft limit on open files (Linux, /proc/self/limits); null where it cannot be read. */
export function readFdLimit(): string | null {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1')
      .split('\n')
      .find((candidate) => candidate.startsWith('Max open files'));
    return line?.split(/\s{2,}/)[1] ?? null;
  } catch {
    return null;
  }
}

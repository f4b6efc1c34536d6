// The daemon's own node settings, given wherever tend starts a daemon process (`tend daemon start`,
// the boot units of `tend startup`; docs/containers.md shows them for `tend daemon run` as PID 1).
// V8 lets the young generation grow to 16 MB semispaces after a burst of work (the start of 100
// programs) and keeps them; a daemon's young objects are requests and state changes, a few KB each.
// Capped at 1 MB, the daemon's private memory with 100 programs was 21 MB two seconds after the burst
// instead of 29 MB. V8's memory reducer is off: it compacted the heap 10–20 s after a burst, the daemon's only CPU use
// while idle; compact-after-requests.ts does that once, a second after the burst.
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--no-memory-reducer'];

/** The script and arguments of a node command line that may carry node flags first. */
export function skipNodeFlags(argv: readonly string[]): readonly string[] {
  const first = argv.findIndex((argument) => !argument.startsWith('-'));
  return first === -1 ? [] : argv.slice(first);
}

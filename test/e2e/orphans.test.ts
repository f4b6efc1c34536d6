import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createProgram, createTendHome, readProcStat, waitFor } from './helpers.js';

// Orphans: what a program leaves behind is re-parented to the daemon (a child subreaper) and reaped
// there, so no zombie piles up under it. As PID 1 of a PID namespace: container.test.ts.

const ORPHANS = 50;
// Each subshell starts a sleeper in the background and exits at once: the sleeper is orphaned.
const LEAVES_ORPHANS = `for i in $(seq ${ORPHANS}); do (sleep 2 &); done; exec sleep 1000`;

interface Child {
  readonly pid: number;
  readonly state: string;
  /** A zombie has no command line left. */
  readonly cmdline: string;
}

function childrenOf(ppid: number): Child[] {
  const found: Child[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat?.get(4) !== String(ppid)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
    } catch {
      // gone meanwhile
    }
    found.push({ pid: Number(entry), state: stat.get(3) ?? '?', cmdline });
  }
  return found;
}

/** The daemon's children other than the program itself (which runs `sleep 1000` in the end). */
function orphansOf(daemonPid: number): Child[] {
  return childrenOf(daemonPid).filter(
    (child) => child.cmdline !== 'sleep 1000' && !/-c for i/.test(child.cmdline),
  );
}

async function expectOrphansReaped(daemonPid: number): Promise<void> {
  // While they sleep, the orphans are the daemon's children (not init's): each is seen there.
  const seen = new Set<number>();
  await waitFor(
    () => {
      for (const child of orphansOf(daemonPid)) if (child.cmdline === 'sleep 2') seen.add(child.pid);
      return seen.size >= ORPHANS;
    },
    20_000,
    `${ORPHANS} orphans re-parented to the daemon (pid ${daemonPid})`,
  );
  // Once they have ended, none is left: not alive, not a zombie.
  await waitFor(() => orphansOf(daemonPid).length === 0, 20_000, 'every orphan reaped (no zombie left)');
}

test('as a child subreaper the daemon adopts and reaps the orphans of its programs', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, { name: 'parent', command: ['/bin/sh', '-c', LEAVES_ORPHANS], startSecs: 100 });
  const { pid: daemonPid } = await h.tendJson<{ pid: number }>(['daemon', 'status']);
  await expectOrphansReaped(daemonPid);
});

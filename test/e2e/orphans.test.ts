import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createProgram, createTendHome, readProcStat, waitFor } from './helpers.js';

// Orphans: what a program leaves behind is re-parented to the daemon (a child subreaper) and reaped
// there, so no zombie piles up under it. As PID 1 of a PID namespace: container.test.ts.

const ORPHANS = 50;
// Each subshell starts a sleeper in the background and exits at once: the sleeper is orphaned.
const LEAVES_ORPHANS = `for i in $(seq ${ORPHANS}); do (sleep 3 &); done; exec sleep 1000`;

interface Child {
  readonly pid: number;
  readonly state: string;
  /** A zombie has no command line left. */
  readonly cmdline: string;
}

/** The children of `ppid`, from its threads' children lists (cheap, unlike a walk of all /proc). */
function childrenOf(ppid: number): Child[] {
  const found: Child[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${ppid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let pids: string[] = [];
    try {
      pids = readFileSync(`/proc/${ppid}/task/${task}/children`, 'latin1').trim().split(' ').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      } catch {
        // gone meanwhile
      }
      found.push({ pid: Number(pid), state: readProcStat(Number(pid))?.get(3) ?? '?', cmdline });
    }
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
      for (const child of orphansOf(daemonPid)) if (child.cmdline === 'sleep 3') seen.add(child.pid);
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

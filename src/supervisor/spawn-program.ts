import type { ProgramSpec } from '../config/program-schema.js';
import type { Capture, ChildFds } from '../logs/capture.js';
import type { ProcessTree } from '../process/process-tree.js';
import type { SpawnIntent } from '../program-record.js';
import { getLaunch } from './launch.js';
import type { ReadinessChannel } from './readiness.js';
import type { ChildHandle, System } from './system.js';

// One spawn of a program: its output FIFOs, its launch (argv, env, user), its readiness fd, its held
// sockets (the daemon keeps its own copies), and the fds closed again in the daemon once the child
// holds them. Before the fork, the spawn intent (a fresh secret id, the uid) is recorded: a daemon
// that dies before it records the pid leaves a process the next one can prove it started
// (lost-spawns.ts), and nobody else can pass for it.

export type SpawnOutcome =
  | { readonly child: ChildHandle }
  | { readonly failure: string; readonly transient: boolean };

/** Errors that say the system ran short (fds, processes, memory), not that the program is wrong. */
const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM']);

export function isTransientSpawnError(error: unknown): boolean {
  return TRANSIENT_CODES.has((error as NodeJS.ErrnoException | null)?.code ?? '');
}

/** The held sockets a spawn passes (from fd 3); throws when they cannot be had (a failed spawn). */
export type ListenFdSource = () => readonly { readonly fd: number; readonly name: string }[];

export function spawnProgram(
  spec: ProgramSpec,
  system: System,
  capture: Capture,
  readiness: ReadinessChannel | null,
  recordIntent: (intent: SpawnIntent) => void,
  listenFds: ListenFdSource | null = null,
  tree: ProcessTree | null = null,
): SpawnOutcome {
  let fds: ChildFds;
  try {
    fds = capture.openChildFds();
  } catch (error) {
    return {
      failure: `cannot open its output FIFOs: ${(error as Error).message}`,
      transient: isTransientSpawnError(error),
    };
  }
  let readyFd: ReturnType<ReadinessChannel['openChildFd']> = null;
  let cgroup: ReturnType<ProcessTree['beforeSpawn']> | null = null;
  try {
    const launch = getLaunch(spec);
    const sockets = listenFds?.() ?? [];
    readyFd = readiness?.openChildFd() ?? null;
    const intent = { id: system.newSpawnId(), uid: launch.uid ?? getOwnUid(), at: system.now() };
    try {
      recordIntent(intent);
    } catch (error) {
      // A full disk, most likely: it passes, and the spawn is tried again.
      return {
        failure: `cannot record the spawn in the database: ${(error as Error).message}`,
        transient: true,
      };
    }
    cgroup = tree?.beforeSpawn() ?? null;
    const child = system.spawn({
      name: spec.name,
      cwd: spec.cwd,
      ...launch,
      env: { ...launch.env, ...readiness?.env, TEND_SPAWN_ID: intent.id },
      stdout: fds.out,
      stderr: fds.err,
      extraFds: readyFd ? [readyFd] : [],
      listenFds: sockets,
      ...(cgroup?.cgroupFd !== undefined
        ? { cgroupFd: cgroup.cgroupFd, cloneIntoCgroup: cgroup.cloneIntoCgroup ?? false }
        : {}),
      ...(cgroup && cgroup.cgroupProcsFds.length > 0 ? { cgroupProcsFds: cgroup.cgroupProcsFds } : {}),
    });
    return { child };
  } catch (error) {
    return { failure: `spawn failed: ${(error as Error).message}`, transient: isTransientSpawnError(error) };
  } finally {
    capture.releaseChildFds(fds);
    readyFd?.release();
    cgroup?.release();
  }
}

function getOwnUid(): number {
  return process.getuid?.() ?? 0;
}

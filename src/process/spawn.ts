import { constants } from 'node:os';
import { ExecFailedError, SpawnFailedError } from '../errors.js';
import { getNativeHelper, type NativeHelper } from '../native.js';
import { spawnWithNode } from './spawn-node.js';

// How a program's process is created. With the native helper: one clone(CLONE_VM|CLONE_VFORK|
// CLONE_PIDFD) that does every step between fork and exec in the child (native/spawn.c), exec
// failures reported synchronously, and the exit reaped through the pidfd with its status. Without
// it (another OS, no compiler, TEND_NO_NATIVE=1): Node's child_process, with shell wrappers for what
// libuv cannot do (umask, LISTEN_PID) and no supplementary groups.

export interface SpawnRequest {
  readonly name: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: number;
  readonly stderr: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Supplementary groups, with uid (the user's, see accounts.ts). The fallback cannot set them. */
  readonly groups?: readonly number[];
  /** The child's umask (octal number, 0o022). */
  readonly umask?: number;
  /** More fds for the child, each placed at fd number `at` (the readiness fd). */
  readonly extraFds?: readonly { readonly fd: number; readonly at: number }[];
  /**
   * Socket activation (sd_listen_fds): these fds go to 3, 4, … in order, and the child gets
   * LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID set to its own pid (between fork and exec, or by a shell
   * that execs the program in the fallback). extraFds must not use those numbers.
   */
  readonly listenFds?: readonly { readonly fd: number; readonly name: string }[];
  /** The program cgroup's directory (an open fd): the child is born in it (clone3 CLONE_INTO_CGROUP). */
  readonly cgroupFd?: number;
  /** Clone the child straight into cgroupFd (clone3); false: it joins through cgroup.procs before exec. */
  readonly cloneIntoCgroup?: boolean;
  /**
   * Open fds of the program's cgroup v1 cgroup.procs files (limits on a hybrid host): the child moves
   * into each before exec. Only the native spawner can; the fallback refuses them.
   */
  readonly cgroupProcsFds?: readonly number[];
}

export interface ChildHandle {
  /** undefined when the exec failed; the reason then arrives through onError. */
  readonly pid: number | undefined;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  onError(listener: (error: Error) => void): void;
}

export const LISTEN_FDS_START = 3;

/** The fd map of a request: [source, target] pairs, stdout/stderr first. Throws on a collision. */
export function getFdMap(request: SpawnRequest): [number, number][] {
  const map: [number, number][] = [
    [request.stdout, 1],
    [request.stderr, 2],
  ];
  for (const [index, listen] of (request.listenFds ?? []).entries())
    map.push([listen.fd, LISTEN_FDS_START + index]);
  for (const extra of request.extraFds ?? []) {
    if (map.some(([, at]) => at === extra.at)) {
      throw new SpawnFailedError(
        request.name,
        `fd ${extra.at} is given twice (a held socket and another fd)`,
      );
    }
    map.push([extra.fd, extra.at]);
  }
  return map;
}

/** LISTEN_FDS and LISTEN_FDNAMES for the request (LISTEN_PID is the spawner's job); none without fds. */
export function getListenEnv(request: SpawnRequest): Record<string, string> {
  const listen = request.listenFds ?? [];
  if (listen.length === 0) return {};
  return { LISTEN_FDS: String(listen.length), LISTEN_FDNAMES: listen.map((fd) => fd.name).join(':') };
}

export function spawnChild(request: SpawnRequest): ChildHandle {
  const native = getNativeHelper();
  return native?.spawnProcess ? spawnWithHelper(native, request) : spawnWithNode(request);
}

/** Signal numbers to names; the first name wins where two share a number (SIGABRT, not SIGIOT). */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>();
for (const [name, number] of Object.entries(constants.signals)) {
  if (!SIGNAL_NAMES.has(number)) SIGNAL_NAMES.set(number, name as NodeJS.Signals);
}

/**
 * The native handles of children still running. Held here because a collected handle stops
 * watching its pidfd (native/fd_watch.c), and the caller keeps only the ChildHandle's closures.
 */
const running = new Set<{ pid: number }>();

function spawnWithHelper(native: NativeHelper, request: SpawnRequest): ChildHandle {
  const [file] = request.argv;
  if (!file) throw new SpawnFailedError(request.name, 'empty command');
  const env = { ...request.env, ...getListenEnv(request) };
  const listeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  let status: [number | null, NodeJS.Signals | null] | null = null;
  let child: { pid: number };
  try {
    child = (native.spawnProcess as NonNullable<NativeHelper['spawnProcess']>)(
      {
        file,
        argv: request.argv,
        env: Object.entries(env).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`])),
        cwd: request.cwd,
        searchPath: env.PATH ?? '',
        fds: getFdMap(request).flat(),
        newSession: true,
        ...(request.umask !== undefined ? { umask: request.umask } : {}),
        ...(request.uid !== undefined ? { uid: request.uid, groups: request.groups ?? [] } : {}),
        ...(request.gid !== undefined ? { gid: request.gid } : {}),
        ...(request.cgroupFd !== undefined
          ? { cgroupFd: request.cgroupFd, cloneIntoCgroup: request.cloneIntoCgroup ?? false }
          : {}),
        cgroupProcsFds: request.cgroupProcsFds ?? [],
        listenPid: (request.listenFds?.length ?? 0) > 0,
      },
      (code, signal) => {
        running.delete(child as { pid: number });
        status = signal === 0 ? [code, null] : [null, SIGNAL_NAMES.get(signal) ?? 'SIGKILL'];
        for (const listener of listeners) listener(...status);
      },
    );
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { exitCode?: number };
    if (failure.exitCode === undefined) throw error;
    const detail = `${failure.path ?? file}: ${failure.message.replace(/^[^:]*: /, '')}`;
    throw new ExecFailedError(
      request.name,
      failure.syscall ?? 'exec',
      failure.code ?? 'EUNKNOWN',
      detail,
      failure.exitCode,
    );
  }
  running.add(child);
  return {
    pid: child.pid,
    onExit: (listener) => {
      if (status) listener(...status);
      else listeners.push(listener);
    },
    onError: () => {},
  };
}

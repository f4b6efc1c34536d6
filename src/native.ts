import { createRequire } from 'node:module';

// The optional native helper (native/tend_native.c, built by node-gyp at install). Everything that
// uses it has a portable fallback, so a machine without a compiler still runs tend. TEND_NO_NATIVE=1
// makes tend behave as if it were missing (the fallback paths are tested that way).

export interface NativeHelper {
  mkfifo(path: string, mode: number): void;
  /** Linux: sets a pipe's buffer size and returns the size granted; elsewhere returns -1. */
  setPipeSize(fd: number, bytes: number): number;
  /** Linux: binds an AF_UNIX datagram socket and calls onMessage(text, senderPid) for each datagram. */
  bindNotifySocket?(path: string, onMessage: (text: string, pid: number) => void): { close(): void };
  /** Sends one AF_UNIX datagram (sd_notify's client side); `@name` is an abstract socket. Absent in older builds. */
  sendDatagram?(path: string, message: string): void;
  /** Linux ≥ 5.3: calls onExit() once when process pid ends (a pidfd); throws ESRCH if there is none. */
  watchExit?(pid: number, onExit: () => void): { close(): void };
  /** Linux: calls onReadable() while fd is readable or hung up; the watcher owns fd (close() closes it). */
  watchReadable?(fd: number, onReadable: () => void): { close(): void };
  /** Linux: copies the head of a pipe into buffer without consuming it: bytes, 0 at EOF, -1 when empty. */
  peekPipe?(fd: number, buffer: Buffer): number;
  /** Linux: how many bytes wait in a pipe (FIONREAD), without touching them. */
  pipeBytes?(fd: number): number;
  /**
   * Linux: one splice(2) of up to length bytes from a pipe to the end of a file (not opened O_APPEND):
   * how many moved, 0 at the pipe's end, -1 when it is empty for now.
   */
  spliceToFile?(pipeFd: number, fileFd: number, length: number): number;
  /**
   * Linux: starts a process (clone CLONE_VM|CLONE_VFORK|CLONE_PIDFD, see native/spawn.c) and reaps it
   * through its pidfd: onExit(code, signal) with code -1 for a death by signal, signal 0 otherwise.
   * A failed step (exec, chdir, …) throws synchronously: code ENOENT…, syscall the step, exitCode 127/126.
   */
  spawnProcess?(request: NativeSpawnRequest, onExit: (code: number, signal: number) => void): NativeChild;
  /** Linux: the supplementary groups of a user (getgrouplist, through NSS), primary gid included. */
  getGroupList?(user: string, gid: number): number[];
  /** Linux: PR_SET_CHILD_SUBREAPER, so orphaned descendants are re-parented to this process. */
  becomeSubreaper?(): void;
  /** Linux: reaps ended children the daemon did not spawn (orphans) on every SIGCHLD. */
  startOrphanReaper?(onReaped: (pid: number, code: number, signal: number) => void): {
    reapNow(): void;
    close(): void;
  };
  /** Linux: a listening TCP socket (numeric host; close-on-exec) that nothing accepts on. */
  listenTcp?(host: string, port: number, backlog: number): number;
  /** Linux: a listening unix socket with this file mode; a socket left at path is replaced. */
  listenUnix?(path: string, backlog: number, mode: number): number;
  /** Linux ≥ 5.6: a copy of fd number `fd` of process pid (pidfd_getfd; needs ptrace rights). */
  takeFd?(pid: number, fd: number): number;
  /** Linux: "tcp://127.0.0.1:3000", "tcp://[::]:80" or "unix:/path" for a listening stream socket, else null. */
  describeSocket?(fd: number): string | null;
  /** Linux: a close-on-exec duplicate of fd. */
  dupFd?(fd: number): number;
}

export interface NativeSpawnRequest {
  readonly file: string;
  readonly argv: readonly string[];
  /** KEY=VALUE strings. */
  readonly env: readonly string[];
  readonly cwd?: string;
  /** Searched when file has no slash (the child's PATH). */
  readonly searchPath?: string;
  /** Flat [source, target, source, target, …]; every other fd is closed, 0–2 default to /dev/null. */
  readonly fds: readonly number[];
  readonly umask?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly groups?: readonly number[];
  readonly newSession?: boolean;
  /** The program cgroup's directory fd: the child is born in it (clone3), or moves itself in before exec. */
  readonly cgroupFd?: number;
  /** clone3 the child straight into cgroupFd; false: the child joins it through cgroup.procs. */
  readonly cloneIntoCgroup?: boolean;
  /** Open cgroup v1 cgroup.procs fds (at most 8; limits on hybrid hosts): the child writes "0" to each before exec. */
  readonly cgroupProcsFds?: readonly number[];
  /** Sets LISTEN_PID to the child's own pid. */
  readonly listenPid?: boolean;
}

export interface NativeChild {
  readonly pid: number;
  /** Stops watching; the child is then reaped by the orphan reaper, if one runs. */
  close(): void;
}

export type PipeDrainHelper = Required<
  Pick<NativeHelper, 'watchReadable' | 'peekPipe' | 'pipeBytes' | 'spliceToFile'>
>;

/** The lossless FIFO-to-file path (tee + splice), when this platform and build have it. */
export function getPipeDrain(): PipeDrainHelper | null {
  const native = getNativeHelper();
  if (!native?.watchReadable || !native.peekPipe || !native.pipeBytes || !native.spliceToFile) return null;
  return native as PipeDrainHelper;
}

// The helper is in the package's build/: one level above this module in src/ or dist/, two above a
// bundle chunk in dist/chunks/. Chosen from where this module is, never searched for: a root daemon
// must not load code from a directory outside its package (where a missing build would look next).
const NATIVE_PATH = new URL('.', import.meta.url).pathname.endsWith('/dist/chunks/')
  ? '../../build/Release/tend_native.node'
  : '../build/Release/tend_native.node';
let cached: NativeHelper | null | undefined;
/** Why the helper is not in use, once getNativeHelper() found it missing. */
let missingReason: string | null = null;

function loadNativeHelper(): NativeHelper | null {
  try {
    return createRequire(import.meta.url)(NATIVE_PATH) as NativeHelper;
  } catch (error) {
    missingReason = (error as Error).message.split('\n')[0] ?? 'not loadable';
    return null;
  }
}

export function getNativeHelper(): NativeHelper | null {
  if (cached === undefined) {
    if (process.env.TEND_NO_NATIVE === '1') {
      cached = null;
      missingReason = 'TEND_NO_NATIVE=1';
      return cached;
    }
    cached = loadNativeHelper();
  }
  return cached;
}

/**
 * Why the portable fallback runs instead of the native helper (TEND_NO_NATIVE=1, or the error that
 * loading it gave: not built, built for another Node), or null when the helper is in use. The
 * fallback is silent otherwise, and it costs: logs are read and written through the daemon instead
 * of spliced, several times the CPU per megabyte.
 */
export function getNativeMissingReason(): string | null {
  getNativeHelper();
  if (missingReason !== null) return missingReason;
  return getPipeDrain() === null && process.platform === 'linux'
    ? 'an old build without the pipe drain'
    : null;
}

import { spawn } from 'node:child_process';
import { SpawnFailedError } from '../errors.js';
import { type ChildHandle, getFdMap, getListenEnv, type SpawnRequest } from './spawn.js';

// The portable spawner: Node's child_process (libuv forks the daemon). What libuv cannot do between
// fork and exec, a tiny shell does before it becomes the program: the umask, and LISTEN_PID (the
// shell's $$ is the program's pid, since exec keeps it). Supplementary groups are not set here, and
// no cgroup is joined: a move after the fork would let whatever the child forks first escape its
// limits, so the daemon gives no program a cgroup without the native spawner (process-tree.ts), and
// a request that asks for one is refused rather than started outside it.

export function spawnWithNode(request: SpawnRequest): ChildHandle {
  const argv = getWrappedArgv(request);
  const [file, ...args] = argv;
  if (!file) throw new SpawnFailedError(request.name, 'empty command');
  if ((request.cgroupProcsFds?.length ?? 0) > 0 || request.cgroupFd !== undefined) {
    throw new SpawnFailedError(request.name, 'the portable spawner cannot join cgroups before exec');
  }
  // detached: the child calls setsid(), so it leads its own session and process group.
  const child = spawn(file, args, {
    cwd: request.cwd,
    env: { ...request.env, ...getListenEnv(request) },
    stdio: getStdio(request),
    detached: true,
    ...(request.uid !== undefined ? { uid: request.uid } : {}),
    ...(request.gid !== undefined ? { gid: request.gid } : {}),
  });
  return {
    pid: child.pid,
    onExit: (listener) => child.once('exit', listener),
    onError: (listener) => child.on('error', listener),
  };
}

function getWrappedArgv(request: SpawnRequest): readonly string[] {
  const steps: string[] = [];
  if (request.umask !== undefined) steps.push(`umask ${request.umask.toString(8).padStart(3, '0')}`);
  if ((request.listenFds?.length ?? 0) > 0) steps.push('LISTEN_PID=$$; export LISTEN_PID');
  if (steps.length === 0) return request.argv;
  return ['/bin/sh', '-c', `${steps.join(' && ')} && exec "$@"`, 'tend-exec', ...request.argv];
}

function getStdio(request: SpawnRequest): (number | 'ignore')[] {
  const stdio: (number | 'ignore')[] = ['ignore'];
  for (const [fd, at] of getFdMap(request)) {
    while (stdio.length <= at) stdio.push('ignore');
    stdio[at] = fd;
  }
  return stdio;
}

import { getHealthcheck } from './compose-healthcheck.js';
import { type ContainerOut, getContainerArgv } from './container.js';
import { type KeyMappings, mappedElsewhere } from './keys.js';
import { formatMemory } from './shared.js';
import { getSockets, SELF_BIND } from './sockets.js';
import { formatSpan } from './systemd-text.js';

// Each tend.yaml key as compose service settings: one cell per key (see keys.ts).

export interface ComposeOut extends ContainerOut {
  service: Record<string, unknown>;
  /** A relative path for env_file (compose reads it from the compose file's directory). */
  getEnvFilePath(file: string): string;
  /** How a dependency says it is ready: a healthcheck (from its checks), notify/fd, or only startSecs. */
  getReadiness(program: string): 'healthcheck' | 'declared' | 'started';
}

const DOCKER_BACKOFF = "docker's own restart backoff applies (100 ms doubling, reset after 10 s up)";

/** Compose interpolates `${VAR}` and `$VAR` in every value: a literal `$` is `$$`. */
function escapeDollars(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

const SIZE_UNITS: [number, string][] = [
  [1024 ** 3, 'g'],
  [1024 ** 2, 'm'],
  [1024, 'k'],
];

function formatDockerSize(bytes: number): string {
  const unit = SIZE_UNITS.find(([size]) => bytes % size === 0);
  return unit ? `${bytes / unit[0]}${unit[1]}` : String(bytes);
}

export const COMPOSE_KEYS: KeyMappings<ComposeOut> = {
  command: (program, out) => {
    out.service.command = getContainerArgv(program).map(escapeDollars);
  },
  cwd: (program, out) => {
    out.service.working_dir = out.getContainerPath(program.spec.cwd);
  },
  instances: (program, out) => {
    if (program.instances > 1) out.service.deploy = { replicas: program.instances };
    if (program.instancesMax) out.note('instances', `max is this machine's CPU count (${program.instances})`);
  },
  offsetEnv: (program, out) => {
    if (program.instances > 1 && program.spec.offsetEnv.length > 0)
      out.note(
        'offsetEnv',
        `each replica is its own container with its own address: all get the same ${program.spec.offsetEnv.join(', ')}`,
      );
  },
  env: (program, out) => {
    const instance = program.instances > 1 ? {} : { TEND_INSTANCE: '0' };
    const env = { ...instance, PYTHONUNBUFFERED: '1', ...program.spec.env };
    out.service.environment = Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, escapeDollars(value)]),
    );
    if (program.instances > 1) out.note('env', 'replicas are not numbered: TEND_INSTANCE is not set');
  },
  envFile: (program, out) => {
    if (program.envFiles.length > 0)
      out.service.env_file = program.envFiles.map((file) => out.getEnvFilePath(file));
  },
  dependsOn: (program, out) => {
    const { dependsOn } = program.spec;
    if (dependsOn.length === 0) return;
    const condition = (name: string) =>
      out.getReadiness(name) === 'healthcheck' ? 'service_healthy' : 'service_started';
    out.service.depends_on = Object.fromEntries(
      dependsOn.map((name) => [name, { condition: condition(name) }]),
    );
    for (const name of dependsOn.filter((dep) => out.getReadiness(dep) === 'declared'))
      out.note(
        'dependsOn',
        `compose starts it once ${name}'s container has started; tend waits until ${name} says it is ready`,
      );
  },
  autostart: (program, out) => {
    if (!program.spec.autostart) out.service.profiles = ['manual'];
  },
  onExit: (program, out) => {
    if (program.spec.onExit === 'shutdown')
      out.note(
        'onExit',
        `run \`docker compose up --exit-code-from ${program.name}\`: it stops the others when this one ends and exits with its status`,
      );
  },
  restart: (program, out) => {
    const { restart, giveUp } = program.spec;
    const retries = restart === 'on-failure' && giveUp ? `:${giveUp.failures}` : '';
    out.service.restart = restart === 'never' ? 'no' : `${restart}${retries}`;
    if (retries)
      out.note('giveUp', `docker stops after ${giveUp?.failures} restarts in a row, with no time window`);
    else if (giveUp) out.note('giveUp', 'docker never gives up restarting a service with restart: always');
  },
  successExitCodes: (program, out) => {
    const codes = program.spec.successExitCodes;
    if (program.spec.restart === 'on-failure' && (codes.length !== 1 || codes[0] !== 0))
      out.note('successExitCodes', 'docker restarts on-failure after any non-zero exit; only 0 is a success');
  },
  restartDelay: (program, out) => {
    if (program.written.has('restartDelay')) out.note('restartDelay', DOCKER_BACKOFF);
  },
  backoff: (program, out) => {
    if (program.written.has('backoff')) out.note('backoff', DOCKER_BACKOFF);
  },
  giveUp: mappedElsewhere('restart: on-failure:N (restart)'),
  startSecs: (program, out) => {
    if (program.written.has('startSecs')) out.note('startSecs', 'compose has no minimum run time');
  },
  ready: (program, out) => {
    if (program.spec.ready !== 'startSecs' && program.spec.checks.length === 0)
      out.note(
        'ready',
        `compose has no ${program.spec.ready} readiness: add a ready check (a healthcheck; dependents wait with condition: service_healthy)`,
      );
  },
  readyFd: mappedElsewhere('no fd readiness in compose (ready)'),
  startTimeout: mappedElsewhere('without readiness there is no start deadline (ready)'),
  watchdog: (program, out) => {
    if (program.spec.watchdog !== null)
      out.note('watchdog', 'compose has no watchdog, and it does not restart an unhealthy service');
  },
  stopSignal: (program, out) => {
    out.service.stop_signal = program.spec.stopSignal;
  },
  reloadSignal: (program, out) => {
    if (program.spec.reloadSignal !== null)
      out.note('reloadSignal', 'compose has no reload: docker compose kill -s SIGNAL NAME sends it');
  },
  pidFile: (program, out) => {
    if (program.spec.pidFile !== null)
      out.note(
        'pidFile',
        'the container ends with its main process: a binary upgrade that replaces it is not followed',
      );
  },
  stopTimeout: (program, out) => {
    out.service.stop_grace_period = formatSpan(program.spec.stopTimeout);
  },
  user: (program, out) => {
    const { user, group } = program.spec;
    if (user !== null) out.service.user = group === null ? user : `${user}:${group}`;
  },
  group: (program, out) => {
    if (program.spec.group !== null && program.spec.user === null)
      out.note('group', 'compose sets a group only with a user (user: "USER:GROUP")');
  },
  umask: (program, out) => {
    if (program.spec.umask !== null)
      out.note('umask', "docker has no umask setting: set it in the image's entrypoint");
  },
  logs: (program, out) => {
    const { logs } = program.spec;
    const { out: stdout, err: stderr } = program.logTargets;
    const silent = stdout === '/dev/null' && (logs.merge || stderr === '/dev/null');
    const files = [stdout, stderr].filter((target) => target?.startsWith('/') && target !== '/dev/null');
    if (files.length > 0)
      out.note('logs', 'a container logs to its logging driver (docker logs), not to files');
    if (stdout === '/dev/null' && !silent) out.note('logs.out', 'docker cannot discard one stream only');
    if (logs.timestamps) out.note('logs.timestamps', 'docker keeps a timestamp per line: docker logs -t');
    if (logs.format === 'json')
      out.note('logs.format', "docker's json-file driver stores JSON lines of its own");
    if (silent) {
      out.service.logging = { driver: 'none' };
      return;
    }
    const options: Record<string, string> = {};
    if (program.written.has('logs.maxSize') && logs.maxSize > 0)
      options['max-size'] = formatDockerSize(logs.maxSize);
    if (program.written.has('logs.keep')) options['max-file'] = String(Math.max(1, logs.keep + 1));
    if (program.written.has('logs.compress')) options.compress = String(logs.compress);
    if (Object.keys(options).length > 0) out.service.logging = { driver: 'json-file', options };
    if (program.written.has('logs.rotateDaily')) out.note('logs.rotateDaily', 'docker rotates by size only');
  },
  checks: (program, out) => {
    const healthcheck = getHealthcheck(program, out);
    if (healthcheck) out.service.healthcheck = healthcheck;
  },
  limits: (program, out) => {
    const { memory, cpu, pids } = program.spec.limits;
    if (memory !== null) out.service.mem_limit = formatMemory(memory, ['k', 'm', 'g']);
    if (cpu !== null) out.service.cpus = cpu;
    if (pids !== null) out.service.pids_limit = pids;
  },
  sockets: (program, out) => {
    const sockets = getSockets(program);
    for (const socket of sockets.filter((s) => s.address.kind === 'unix'))
      out.note(
        'sockets',
        `${socket.address.canonical}: a unix socket stays inside the container (share a volume to reach it)`,
      );
    const ports = sockets.flatMap((s) => (s.address.kind === 'tcp' ? [s.address] : []));
    if (ports.length === 0) return;
    if (program.instances > 1) {
      out.service.expose = ports.map((port) => String(port.port));
      out.note(
        'sockets',
        'replicas cannot each publish the same host port: the ports are exposed to the other services only',
      );
    } else {
      const host = (port: { host: string }) =>
        port.host === '::' || port.host === '0.0.0.0' ? '' : `${port.host}:`;
      out.service.ports = ports.map((port) => `${host(port)}${port.port}:${port.port}`);
    }
    out.note('sockets', `${SELF_BIND}, on 0.0.0.0 inside the container`);
  },
};

import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';
import type { IJobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import { type ContainerOut, getContainerArgv } from './container.js';
import { type KeyMappings, mappedElsewhere, noteOnExit } from './keys.js';
import { getKubernetesName, getPortName } from './kubernetes-names.js';
import { getProbes } from './kubernetes-probes.js';
import { formatMemory, noteLogRotation, toSeconds } from './shared.js';
import { getSockets, SELF_BIND } from './sockets.js';

// Each tend.yaml key as Kubernetes settings: one cell per key (see keys.ts).

export interface KubernetesOut extends ContainerOut {
  container: IContainer;
  pod: Omit<IPodSpec, 'containers'>;
  /** restart: always → Deployment; on-failure, never → Job (they run to completion). */
  kind: 'Deployment' | 'Job';
  /** DeploymentSpec or JobSpec fields besides selector and template (typed, so a misspelt field fails tsc). */
  workload: Partial<Omit<IDeploymentSpec, 'selector' | 'template'> & Omit<IJobSpec, 'template'>>;
  /** The ConfigMap NAME-env (env), and the Secrets (by name) to make from envFile files. */
  configMap: Record<string, string>;
  secrets: Map<string, string>;
  /** Ports of a Service for the program's held TCP sockets (none: no Service). */
  servicePorts: IServicePort[];
}

const CRASH_LOOP = 'the kubelet restarts a crashed container after its own backoff (10 s doubling to 5 min)';
const NUMERIC_ID = /^\d+$/;

/** The kubelet expands `$(VAR)` in command and args and reads `$$` as `$`. */
function escapeDollars(text: string): string {
  return text.replace(/\$(?=[($])/g, '$$$$');
}

/** `shared.env` → `envfile-shared-env`: a Secret name (DNS-1123) from an env file's name. */
export function getSecretName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1).toLowerCase();
  return `envfile-${base.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.replace(/-$/, '');
}

export const KUBERNETES_KEYS: KeyMappings<KubernetesOut> = {
  command: (program, out) => {
    out.container.command = getContainerArgv(program).map(escapeDollars);
  },
  cwd: (program, out) => {
    out.container.workingDir = out.getContainerPath(program.spec.cwd);
  },
  instances: (program, out) => {
    if (out.kind === 'Deployment') out.workload.replicas = program.instances;
    else if (program.instances > 1)
      Object.assign(out.workload, { parallelism: program.instances, completions: program.instances });
    if (program.instancesMax) out.note('instances', `max is this machine's CPU count (${program.instances})`);
  },
  offsetEnv: (program, out) => {
    if (program.instances > 1 && program.spec.offsetEnv.length > 0)
      out.note(
        'offsetEnv',
        `each pod has its own address: all get the same ${program.spec.offsetEnv.join(', ')}`,
      );
  },
  env: (program, out) => {
    const instance = program.instances > 1 ? {} : { TEND_INSTANCE: '0' };
    Object.assign(out.configMap, instance, { PYTHONUNBUFFERED: '1' }, program.spec.env);
    if (program.instances > 1) out.note('env', 'pods are not numbered: TEND_INSTANCE is not set');
  },
  envFile: (program, out) => {
    // Referenced only: kubernetes.ts notes, once per file, how to create each Secret.
    for (const file of program.envFiles) out.secrets.set(getSecretName(file), file);
  },
  dependsOn: (program, out) => {
    if (program.spec.dependsOn.length > 0)
      out.note(
        'dependsOn',
        'Kubernetes has no start order: the program must retry until its dependencies answer (or wait in an init container)',
      );
  },
  autostart: (program, out) => {
    if (program.spec.autostart) return;
    if (out.kind === 'Deployment') out.workload.replicas = 0;
    else out.workload.suspend = true;
  },
  onExit: noteOnExit('Kubernetes'),
  restart: (program, out) => {
    out.pod.restartPolicy =
      program.spec.restart === 'always' ? 'Always' : program.spec.restart === 'never' ? 'Never' : 'OnFailure';
    if (program.spec.restart === 'never') out.workload.backoffLimit = 0;
  },
  successExitCodes: (program, out) => {
    const codes = program.spec.successExitCodes;
    if (out.kind === 'Job' && (codes.length !== 1 || codes[0] !== 0))
      out.note('successExitCodes', 'a Job succeeds on exit 0 only');
  },
  restartDelay: (program, out) => {
    if (program.written.has('restartDelay')) out.note('restartDelay', CRASH_LOOP);
  },
  backoff: (program, out) => {
    if (program.written.has('backoff')) out.note('backoff', CRASH_LOOP);
  },
  giveUp: (program, out) => {
    const { giveUp, restart } = program.spec;
    if (restart === 'on-failure') {
      out.workload.backoffLimit = giveUp?.failures ?? 6;
      out.note(
        'giveUp',
        giveUp
          ? 'a Job counts failures over its whole life, not within a window'
          : "a Job gives up after 6 failures (backoffLimit's default); tend never gives up",
      );
    } else if (giveUp && restart === 'always') {
      out.note('giveUp', "Kubernetes never gives up restarting a Deployment's pods");
    }
  },
  startSecs: (program, out) => {
    if (out.kind === 'Deployment' && program.spec.ready === 'startSecs')
      out.workload.minReadySeconds = toSeconds(program.spec.startSecs);
  },
  ready: (program, out) => {
    const probed = program.spec.checks.some((check) => check.level !== 'alive');
    if (program.spec.ready !== 'startSecs' && !probed)
      out.note(
        'ready',
        `Kubernetes has no ${program.spec.ready} readiness: add a readinessProbe (a ready check)`,
      );
  },
  readyFd: mappedElsewhere('no fd readiness in Kubernetes (ready)'),
  startTimeout: mappedElsewhere('the startupProbe of a ready check: failureThreshold × period (checks)'),
  watchdog: (program, out) => {
    if (program.spec.watchdog !== null && !program.spec.checks.some((check) => check.level === 'alive'))
      out.note('watchdog', 'Kubernetes has no watchdog: add a livenessProbe (an alive check)');
  },
  stopSignal: (program, out) => {
    const signal = program.spec.stopSignal;
    if (signal === 'SIGTERM') return;
    out.container.lifecycle = { stopSignal: signal as never };
    out.note(
      'stopSignal',
      "lifecycle.stopSignal needs Kubernetes 1.33+ with ContainerStopSignals; elsewhere the image's STOPSIGNAL decides",
    );
  },
  reloadSignal: (program, out) => {
    if (program.spec.reloadSignal !== null)
      out.note('reloadSignal', 'Kubernetes has no reload: kubectl rollout restart replaces the pods');
  },
  pidFile: (program, out) => {
    if (program.spec.pidFile !== null)
      out.note(
        'pidFile',
        'the container ends with its main process: a binary upgrade that replaces it is not followed',
      );
  },
  stopTimeout: (program, out) => {
    out.pod.terminationGracePeriodSeconds = toSeconds(program.spec.stopTimeout);
  },
  user: (program, out) => {
    const { user } = program.spec;
    if (user === null) return;
    if (NUMERIC_ID.test(user))
      out.container.securityContext = { ...out.container.securityContext, runAsUser: Number(user) };
    else out.note('user', `Kubernetes takes a numeric uid (securityContext.runAsUser), not "${user}"`);
  },
  group: (program, out) => {
    const { group } = program.spec;
    if (group === null) return;
    if (NUMERIC_ID.test(group))
      out.container.securityContext = { ...out.container.securityContext, runAsGroup: Number(group) };
    else out.note('group', `Kubernetes takes a numeric gid (securityContext.runAsGroup), not "${group}"`);
  },
  umask: (program, out) => {
    if (program.spec.umask !== null)
      out.note('umask', "Kubernetes has no umask setting: set it in the image's entrypoint");
  },
  logs: (program, out) => {
    const { logs } = program.spec;
    const targets = [program.logTargets.out, program.logTargets.err];
    if (targets.some((target) => target?.startsWith('/')))
      out.note('logs', 'a container logs to its stdout and stderr (kubectl logs), not to files');
    if (logs.timestamps)
      out.note('logs.timestamps', 'the kubelet keeps a timestamp per line: kubectl logs --timestamps');
    if (logs.format === 'json') out.note('logs.format', 'the kubelet has no JSON lines format');
    noteLogRotation(
      program,
      out,
      'the kubelet rotates container logs (containerLogMaxSize, containerLogMaxFiles)',
    );
  },
  checks: (program, out) => {
    Object.assign(out.container, getProbes(program, out));
  },
  limits: (program, out) => {
    const { memory, cpu, pids } = program.spec.limits;
    const limits: Record<string, string> = {};
    if (memory !== null) limits.memory = formatMemory(memory, ['Ki', 'Mi', 'Gi']);
    if (cpu !== null) limits.cpu = String(cpu);
    if (Object.keys(limits).length > 0) out.container.resources = { limits };
    if (pids !== null)
      out.note(
        'limits.pids',
        'a pod cannot set its own pid limit (the kubelet sets podPidsLimit for the node)',
      );
  },
  sockets: (program, out) => {
    const sockets = getSockets(program);
    for (const socket of sockets.filter((s) => s.address.kind === 'unix'))
      out.note(
        'sockets',
        `${socket.address.canonical}: a unix socket stays inside the pod; left out of the Service`,
      );
    const ports = sockets.flatMap((s) =>
      s.address.kind === 'tcp' ? [{ name: getPortName(s.name), port: s.address.port }] : [],
    );
    if (ports.length === 0) return;
    out.container.ports = ports.map(({ name, port }) => ({
      name,
      containerPort: port,
      protocol: 'TCP' as const,
    }));
    out.servicePorts.push(
      ...ports.map(({ name, port }) => ({ name, port, targetPort: name, protocol: 'TCP' as const })),
    );
    out.note(
      'sockets',
      `a Service ${getKubernetesName(program.name)} is written; ${SELF_BIND}, on the pod's address (0.0.0.0)`,
    );
  },
};

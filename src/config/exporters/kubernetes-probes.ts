import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { CheckSpec } from '../program-schema.js';
import type { ExportProgram } from './programs.js';
import { toSeconds } from './shared.js';
import type { NoteSink } from './types.js';

// tend's checks as container probes: alive → livenessProbe, ready → readinessProbe, startup →
// startupProbe (its budget as failureThreshold × period). Without a startup check, ready checks get
// a startupProbe too, so the start timeout bounds the time to become ready, as in tend.

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const PROBE_OF = { alive: 'livenessProbe', ready: 'readinessProbe', startup: 'startupProbe' } as const;
type ProbeKey = (typeof PROBE_OF)[keyof typeof PROBE_OF];

function getHandler(check: CheckSpec, note: NoteSink['note']): IProbe {
  const option = `checks.${check.name}`;
  if (check.exec !== undefined) {
    return {
      exec: { command: typeof check.exec === 'string' ? ['/bin/sh', '-c', check.exec] : [...check.exec] },
    };
  }
  const local = (host: string) => {
    if (!LOCAL_HOSTS.has(host)) return host;
    note(option, "the kubelet connects to the pod's address, not 127.0.0.1: the program must listen on it");
    return undefined;
  };
  if (check.tcp !== undefined) {
    const at = check.tcp.lastIndexOf(':');
    const host = local(check.tcp.slice(0, at));
    return { tcpSocket: { port: Number(check.tcp.slice(at + 1)), ...(host && { host }) } };
  }
  const http = check.http as NonNullable<CheckSpec['http']>;
  const url = new URL(http.url);
  const host = local(url.hostname);
  const scheme = url.protocol === 'https:' ? 'HTTPS' : 'HTTP';
  const port = Number(url.port || (scheme === 'HTTPS' ? 443 : 80));
  if (http.method !== 'GET') note(option, `the kubelet always sends GET, not ${http.method}`);
  if (http.status !== '200-399') note(option, `the kubelet accepts 200-399, not only ${http.status}`);
  const headers = Object.entries(http.headers).map(([name, value]) => ({ name, value }));
  return {
    httpGet: {
      path: `${url.pathname}${url.search}`,
      port,
      scheme,
      ...(host && { host }),
      ...(headers.length > 0 && { httpHeaders: headers }),
    },
  };
}

function getProbe(check: CheckSpec, note: NoteSink['note']): IProbe {
  const periodSeconds = Math.max(1, toSeconds(check.period));
  const failureThreshold =
    check.level === 'startup' && check.budget !== undefined
      ? Math.max(1, Math.ceil(check.budget / check.period))
      : check.failureThreshold;
  if (check.level !== 'ready' && check.successThreshold !== 1)
    note(
      `checks.${check.name}`,
      `a ${PROBE_OF[check.level]} needs 1 success; successThreshold ${check.successThreshold} is left out`,
    );
  return {
    ...getHandler(check, note),
    periodSeconds,
    timeoutSeconds: Math.max(1, toSeconds(check.timeout)),
    failureThreshold,
    ...(check.level === 'ready' && { successThreshold: check.successThreshold }),
    ...(check.initialDelay > 0 && { initialDelaySeconds: toSeconds(check.initialDelay) }),
  };
}

export function getProbes(program: ExportProgram, out: NoteSink): Partial<Record<ProbeKey, IProbe>> {
  const probes: Partial<Record<ProbeKey, IProbe>> = {};
  for (const check of program.spec.checks) {
    const key = PROBE_OF[check.level];
    if (probes[key])
      out.note(
        `checks.${check.name}`,
        `a container has one ${key}; only the first ${check.level} check is exported`,
      );
    else probes[key] = getProbe(check, out.note);
  }
  const ready = program.spec.checks.find((check) => check.level === 'ready');
  if (!probes.startupProbe && ready && probes.readinessProbe) {
    const { successThreshold: _, ...handler } = probes.readinessProbe;
    const failureThreshold = Math.max(1, Math.ceil(program.spec.startTimeout / ready.period));
    probes.startupProbe = { ...handler, failureThreshold };
  }
  return probes;
}

import type { ExportProgram } from './programs.js';
import { formatSpan } from './systemd-text.js';
import type { NoteSink } from './types.js';

// tend's checks as the one healthcheck a compose service has: a ready check first (dependents wait
// for it with condition: service_healthy), else an alive one, else a startup one.

const LEVEL_ORDER = ['ready', 'alive', 'startup'] as const;

/** Compose interpolates `$` in every value: a literal `$` is `$$`. */
function escapeDollars(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

export function getHealthcheck(program: ExportProgram, out: NoteSink): Record<string, unknown> | undefined {
  const { checks } = program.spec;
  const check = LEVEL_ORDER.map((level) => checks.find((c) => c.level === level)).find(Boolean);
  if (!check) return undefined;
  for (const other of checks.filter((c) => c !== check))
    out.note(`checks.${other.name}`, `a service has one healthcheck; ${check.name} is exported`);
  let test: string[];
  if (check.exec !== undefined) {
    test = typeof check.exec === 'string' ? ['CMD-SHELL', check.exec] : ['CMD', ...check.exec];
  } else if (check.tcp !== undefined) {
    const at = check.tcp.lastIndexOf(':');
    test = ['CMD', 'nc', '-z', check.tcp.slice(0, at).replace(/^\[|\]$/g, ''), check.tcp.slice(at + 1)];
    out.note(
      `checks.${check.name}`,
      'the healthcheck runs nc -z inside the container: the image needs netcat',
    );
  } else {
    const http = check.http as NonNullable<typeof check.http>;
    const headers = Object.entries(http.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    test = ['CMD', 'curl', '-fsS', '-o', '/dev/null', '-X', http.method, ...headers, http.url];
    out.note(
      `checks.${check.name}`,
      `the healthcheck runs curl inside the container (the image needs it); it fails on 400 and above, not outside ${http.status}`,
    );
  }
  if (check.level === 'alive')
    out.note(
      `checks.${check.name}`,
      'compose marks the service unhealthy but never restarts it; tend restarts a program whose alive check fails',
    );
  const startPeriod =
    check.level === 'startup'
      ? check.budget
      : check.level === 'ready'
        ? program.spec.startTimeout
        : check.initialDelay;
  return {
    test: test.map(escapeDollars),
    interval: formatSpan(check.period),
    timeout: formatSpan(check.timeout),
    retries: check.failureThreshold,
    ...(startPeriod ? { start_period: formatSpan(startPeriod) } : {}),
  };
}

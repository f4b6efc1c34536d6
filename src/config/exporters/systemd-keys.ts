import { getShellScript } from '../shell-command.js';
import { type KeyMappings, mappedElsewhere } from './keys.js';
import type { ExportProgram } from './programs.js';
import { getInstancePath } from './programs.js';
import { formatMemory, getBackoffSteps, noteLogRotation, pushAll } from './shared.js';
import { mapSockets } from './systemd-sockets.js';
import {
  escapeSpecifiers,
  formatSpan,
  quoteAssignment,
  quoteExecWord,
  type UnitLine,
} from './systemd-text.js';
import type { NoteSink } from './types.js';

// Each tend.yaml key as systemd unit settings: one cell per key (see keys.ts).

export interface SystemdOut extends NoteSink {
  unit: UnitLine[];
  service: UnitLine[];
  /** [Install] of the service, or of its target when it has instances. */
  install: UnitLine[];
  /** More than one instance: a template `NAME@.service`, `%i` the instance number. */
  template: boolean;
  userUnits: boolean;
  /** The unit another program's dependsOn names: NAME.service, or NAME.target for instances. */
  getUnitName(program: string): string;
  isStartSecsReady(program: string): boolean;
  /** `.socket` units for held sockets, written beside the service. */
  socketUnits: { name: string; socket: UnitLine[] }[];
}

/** systemd's on-failure treats these deaths as clean; tend restarts after any death by signal. */
const CLEAN_SIGNALS = 'SIGHUP SIGINT SIGTERM SIGPIPE';

function getExecStart(program: ExportProgram, template: boolean): string {
  const { command, offsetEnv } = program.spec;
  // Each instance adds its number to these variables, as tend does when it spawns the instance.
  const adds = template
    ? offsetEnv.map((name) => `${name}=$((${name} + %i)); export ${name}; `).join('')
    : '';
  const quote = (word: string) => quoteExecWord(word);
  const wrap = (script: string) => quoteExecWord(adds + escapeSpecifiers(script), { specifiers: true });
  if (typeof command === 'string') return `/bin/sh -c ${wrap(getShellScript(command))}`;
  if (adds === '') return command.map(quote).join(' ');
  return `/bin/sh -c ${wrap('exec "$@"')} tend-offset ${command.map(quote).join(' ')}`;
}

function mapLogTarget(target: string | null, out: SystemdOut): string | null {
  if (target === null || target === 'console') return null;
  if (target === '/dev/null') return 'null';
  return `append:${escapeSpecifiers(out.template ? getInstancePath(target, '\0') : target).replace('\0', '%i')}`;
}

export const SYSTEMD_KEYS: KeyMappings<SystemdOut> = {
  command: (program, out) => out.service.push(['ExecStart', getExecStart(program, out.template)]),
  cwd: (program, out) => out.service.push(['WorkingDirectory', escapeSpecifiers(program.spec.cwd)]),
  instances: (program, out) => {
    if (program.instancesMax)
      out.note(
        'instances',
        `max is this machine's CPU count (${program.instances}); edit the target's Wants= to suit`,
      );
  },
  offsetEnv: mappedElsewhere('ExecStart adds %i to each variable (command)'),
  env: (program, out) => {
    const env = { PYTHONUNBUFFERED: '1', ...program.spec.env };
    out.service.push([
      'Environment',
      quoteAssignment('TEND_INSTANCE', out.template ? '\0' : '0').replace('\0', '%i'),
    ]);
    for (const [name, value] of Object.entries(env))
      out.service.push(['Environment', quoteAssignment(name, value)]);
  },
  envFile: (program, out) => {
    for (const file of program.envFiles) out.service.push(['EnvironmentFile', escapeSpecifiers(file)]);
    if (program.envFiles.length > 0 && Object.keys(program.spec.env).length > 0)
      out.note(
        'envFile',
        'systemd lets EnvironmentFile= override Environment=; in tend, env overrides envFile: do not set a variable in both',
      );
  },
  dependsOn: (program, out) => {
    const units = program.spec.dependsOn.map((name) => out.getUnitName(name));
    pushAll(out.unit, 'After', units);
    pushAll(out.unit, 'Wants', units);
    for (const name of program.spec.dependsOn.filter((dep) => out.isStartSecsReady(dep)))
      out.note(
        'dependsOn',
        `After= waits until ${name} has been exec'd (Type=exec); tend also waits out its startSecs`,
      );
  },
  autostart: (program, out) => {
    if (program.spec.autostart)
      out.install.push(['WantedBy', out.userUnits ? 'default.target' : 'multi-user.target']);
    else out.install.push('autostart: false, so nothing enables it: systemctl start it by hand');
  },
  onExit: (program, out) => {
    if (program.spec.onExit !== 'shutdown') return;
    // The manager exits with the unit's status once it ends for good (no restart left), as tend's daemon does.
    out.unit.push(['SuccessAction', 'exit'], ['FailureAction', 'exit']);
    out.note(
      'onExit',
      'SuccessAction=exit and FailureAction=exit end a user manager or a system manager in a container; on a host, systemd would power off instead: use poweroff or leave them out',
    );
  },
  restart: (program, out) => {
    const { restart } = program.spec;
    out.service.push(['Restart', restart === 'never' ? 'no' : restart]);
    // tend's on-failure restarts after any death by signal, and after 0 when 0 is not a success.
    const zero = program.spec.successExitCodes.includes(0) ? '' : ' 0';
    if (restart === 'on-failure') out.service.push(['RestartForceExitStatus', `${CLEAN_SIGNALS}${zero}`]);
  },
  successExitCodes: (program, out) => {
    const codes = program.spec.successExitCodes;
    const extra = codes.filter((code) => code !== 0);
    if (extra.length > 0) out.service.push(['SuccessExitStatus', extra.join(' ')]);
  },
  restartDelay: mappedElsewhere('RestartSec is the larger of restartDelay and backoff.initial (backoff)'),
  backoff: (program, out) => {
    const { backoff, restartDelay } = program.spec;
    const delay = Math.max(restartDelay, backoff.initial);
    out.service.push(['RestartSec', formatSpan(delay)]);
    const steps = getBackoffSteps(backoff);
    if (steps > 0) {
      out.service.push(
        'systemd >= 254 can back off as tend does:',
        `RestartSteps=${steps}`,
        `RestartMaxDelaySec=${formatSpan(backoff.max)}`,
      );
      out.note(
        'backoff',
        `systemd waits RestartSec=${formatSpan(delay)} before every restart; tend backs off a crash loop up to ${formatSpan(backoff.max)} (systemd >= 254: uncomment RestartSteps= and RestartMaxDelaySec=)`,
      );
    } else if (restartDelay < delay) {
      out.note(
        'restartDelay',
        `systemd waits RestartSec=${formatSpan(delay)} after a stable run too; tend restarts it after ${formatSpan(restartDelay)}`,
      );
    }
  },
  giveUp: (program, out) => {
    const { giveUp } = program.spec;
    out.unit.push(['StartLimitIntervalSec', giveUp ? formatSpan(giveUp.within) : '0']);
    if (!giveUp) return;
    out.unit.push(['StartLimitBurst', String(giveUp.failures)]);
    out.note(
      'giveUp',
      'systemd counts every start within the interval, tend only failed starts (runs shorter than backoff.resetAfter)',
    );
  },
  startSecs: (program, out) => {
    if (program.written.has('startSecs') && program.spec.ready === 'startSecs')
      out.note(
        'startSecs',
        "systemd has no minimum run time: a Type=exec unit is started once it has been exec'd",
      );
  },
  ready: (program, out) => {
    const { ready } = program.spec;
    out.service.push(['Type', ready === 'notify' ? 'notify' : 'exec']);
    if (ready === 'notify') out.service.push(['NotifyAccess', 'all']);
    if (ready === 'fd')
      out.note(
        'ready',
        'systemd has no fd readiness protocol (s6-style); the unit is Type=exec: switch the program to sd_notify and Type=notify',
      );
  },
  readyFd: mappedElsewhere('no fd protocol in systemd (ready)'),
  startTimeout: (program, out) => {
    if (program.spec.ready === 'notify')
      out.service.push(['TimeoutStartSec', formatSpan(program.spec.startTimeout)]);
  },
  watchdog: (program, out) => {
    if (program.spec.watchdog !== null) out.service.push(['WatchdogSec', formatSpan(program.spec.watchdog)]);
  },
  stopSignal: (program, out) => out.service.push(['KillSignal', program.spec.stopSignal]),
  reloadSignal: (program, out) => {
    const signal = program.spec.reloadSignal;
    if (signal === null) return;
    out.service.push(['ExecReload', `/bin/kill -s ${signal.replace(/^SIG/, '')} $MAINPID`]);
    if (program.spec.ready === 'notify')
      out.note(
        'reloadSignal',
        'systemctl reload returns once the signal is sent; tend reload waits for RELOADING=1 then READY=1 (Type=notify-reload, systemd >= 253, does too)',
      );
  },
  pidFile: (program, out) => {
    if (program.spec.pidFile === null) return;
    out.service.push(['PIDFile', escapeSpecifiers(program.spec.pidFile)]);
    out.note(
      'pidFile',
      'systemd reads PIDFile= to find the main process; whether it follows a new main process (a binary upgrade) as tend does depends on the service type: check it',
    );
  },
  stopTimeout: (program, out) => out.service.push(['TimeoutStopSec', formatSpan(program.spec.stopTimeout)]),
  user: (program, out) => {
    if (program.spec.user === null) return;
    if (out.userUnits)
      out.note('user', 'a user unit runs as the user who owns the manager; User= is left out');
    else out.service.push(['User', program.spec.user]);
  },
  group: (program, out) => {
    if (program.spec.group === null) return;
    if (out.userUnits) out.note('group', "a user unit runs with its manager's group; Group= is left out");
    else out.service.push(['Group', program.spec.group]);
  },
  umask: (program, out) => {
    if (program.spec.umask !== null) out.service.push(['UMask', program.spec.umask.padStart(4, '0')]);
  },
  logs: (program, out) => {
    const { logs } = program.spec;
    const stdout = mapLogTarget(program.logTargets.out, out);
    const stderr = mapLogTarget(program.logTargets.err, out);
    if (stdout) out.service.push(['StandardOutput', stdout]);
    if (stderr && !logs.merge) out.service.push(['StandardError', stderr]);
    else if (stdout && !logs.merge && program.logTargets.err === null)
      out.service.push(['StandardError', 'journal']);
    const toFile = [stdout, stderr].some((target) => target?.startsWith('append:'));
    if (logs.timestamps && toFile)
      out.note('logs.timestamps', 'systemd writes no timestamps into a log file (the journal has them)');
    if (logs.format === 'json')
      out.note(
        'logs.format',
        'systemd has no JSON lines format (journalctl -o json reads the journal as JSON)',
      );
    if (toFile)
      noteLogRotation(
        program,
        out,
        'systemd does not rotate files it appends to: use logrotate (copytruncate)',
      );
  },
  checks: (program, out) => {
    const kinds = [...new Set(program.spec.checks.map((check) => check.level))];
    if (kinds.length > 0)
      out.note(
        'checks',
        `systemd has no health checks (${kinds.join(', ')}): a hung program can ping WatchdogSec= through sd_notify, and After= does not wait for a check`,
      );
  },
  sockets: (program, out) => mapSockets(program, out),
  limits: (program, out) => {
    const { memory, cpu, pids } = program.spec.limits;
    if (memory !== null) out.service.push(['MemoryMax', formatMemory(memory, ['K', 'M', 'G'])]);
    if (cpu !== null) out.service.push(['CPUQuota', `${Math.round(cpu * 100)}%`]);
    if (pids !== null) out.service.push(['TasksMax', String(pids)]);
  },
};

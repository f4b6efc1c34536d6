import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { findUser } from '../../accounts.js';
import { DEFAULT_STOP_TIMEOUT_MS } from '../../config/program-schema.js';
import { BadArgumentError, NeedsRootError } from '../../errors.js';
import { getSudoLine, removeUnit, runCommands, writeUnit } from '../../startup/install.js';
import { checkInstalledUnit, parseInstalledUnit } from '../../startup/startup-check.js';
import {
  detectInitSystem,
  INIT_SYSTEMS,
  type InitSystem,
  planStartup,
  type StartupPlan,
} from '../../startup/startup-plan.js';
import { getTimeoutStopSec } from '../../startup/systemd-unit.js';
import type { StartupScope } from '../../startup/unit-name.js';
import type { ParsedArgs } from '../args.js';
import type { CliContext } from '../context.js';
import { getDaemonInfo, shutdownDaemon } from '../daemon-control.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { print, printError, printJson } from '../output.js';

// The startup verbs: plan, then print (--dry-run), check (--check), install or remove.

type Values = ParsedArgs<{
  user: { type: 'boolean' };
  system: { type: 'boolean' };
  'run-as': { type: 'string' };
  'dry-run': { type: 'boolean' };
  check: { type: 'boolean' };
  json: { type: 'boolean' };
}>;

export async function runStartup(
  verb: 'startup' | 'unstartup',
  { values, positionals }: Values,
  context: CliContext,
): Promise<number> {
  const init = getInitSystem(verb, positionals);
  const scope = getScope(verb, values);
  const isRoot = process.getuid?.() === 0;
  const owner = getOwner(scope, values['run-as']);
  // Another user's home is not ours to use (the home check refuses it, docs/security.md): for a unit
  // that runs as someone else, the running daemon is not asked and not handed over.
  const forOther = owner.name !== userInfo().username;
  const info = forOther ? null : await getDaemonInfo(context);
  const plan = planStartup(
    {
      init,
      scope,
      tendHome: context.paths.home,
      owner,
      execPath: process.execPath,
      tendScript: process.argv[1] ?? '',
      env: process.env,
      maxStopTimeoutMs: info?.maxStopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    },
    isRoot,
  );
  if (values.check)
    return check(plan, context, info?.maxStopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, values.json);
  if (values['dry-run']) return dryRun(verb, plan, values.json === true);
  if (scope === 'system' && !isRoot) {
    const argv = [
      process.execPath,
      process.argv[1] ?? 'tend',
      verb,
      init,
      '--system',
      '--run-as',
      owner.name,
    ];
    throw new NeedsRootError(
      `tend ${verb} --system`,
      getSudoLine(argv, { PATH: process.env.PATH, TEND_HOME: context.paths.home }),
    );
  }
  if (verb === 'unstartup') return uninstall(plan, values.json === true);
  return install(plan, context, info, { json: values.json === true, forOther });
}

function getInitSystem(verb: string, positionals: string[]): InitSystem {
  const [named, extra] = positionals;
  if (extra !== undefined) throw new BadArgumentError(`${verb}: unexpected argument "${extra}"`);
  if (named !== undefined) {
    if (!INIT_SYSTEMS.includes(named as InitSystem))
      throw new BadArgumentError(`${verb}: expected systemd or launchd, got "${named}"`);
    return named as InitSystem;
  }
  const detected = detectInitSystem();
  if (!detected)
    throw new BadArgumentError(
      `${verb}: no init system detected (systemd is not PID 1 here, and this is not macOS); name one, e.g. tend ${verb} systemd --dry-run`,
    );
  return detected;
}

function getScope(verb: string, values: Values['values']): StartupScope {
  if (values.user && values.system)
    throw new BadArgumentError(`${verb}: --user and --system exclude each other`);
  if (values.user) return 'user';
  if (values.system) return 'system';
  return process.getuid?.() === 0 ? 'system' : 'user';
}

function getOwner(scope: StartupScope, runAs: string | undefined) {
  const me = userInfo();
  if (runAs === undefined || runAs === me.username)
    return { name: me.username, uid: me.uid, home: me.homedir };
  if (scope === 'user')
    throw new BadArgumentError('startup: --run-as goes with --system (a user unit runs as its user)');
  const account = findUser(runAs);
  return { name: account.name, uid: account.uid, home: account.home };
}

function dryRun(verb: string, plan: StartupPlan, json: boolean): number {
  const commands = verb === 'startup' ? plan.enable : plan.disable;
  if (json) {
    printJson({ ...plan, commands });
    return 0;
  }
  print(`# ${verb === 'startup' ? 'would write' : 'would remove'} ${plan.unitPath}`);
  if (verb === 'startup') print(plan.content.trimEnd());
  for (const argv of commands) print(`# then: ${argv.join(' ')}`);
  printNotes(plan);
  return 0;
}

async function install(
  plan: StartupPlan,
  context: CliContext,
  info: Awaited<ReturnType<typeof getDaemonInfo>>,
  { json, forOther }: { json: boolean; forOther: boolean },
): Promise<number> {
  writeUnit(plan);
  const [reload, ...enable] = plan.enable;
  if (reload) runCommands([reload]);
  // A daemon started from a shell hands over to the unit's: it leaves its programs running and the
  // unit's daemon re-adopts them (same pids).
  const handedOver = info !== null && !info.supervised;
  if (handedOver) await shutdownDaemon(context, info.pid, false);
  runCommands(enable);
  if (json)
    printJson({
      installed: true,
      unitPath: plan.unitPath,
      unitName: plan.unitName,
      handedOver,
      ...notes(plan),
    });
  else {
    print(
      `installed ${plan.unitPath} and enabled it (${plan.enable.map((argv) => argv.join(' ')).join('; ')})`,
    );
    if (handedOver)
      print(`the running daemon (pid ${info?.pid}) handed its programs over to the unit's daemon`);
    if (info?.supervised)
      print('the daemon already runs under the init system: restart the unit to apply changes');
    if (forOther)
      print(
        'a daemon this user started from a shell must exit first: the unit retries every second until then',
      );
    printNotes(plan);
  }
  return 0;
}

function uninstall(plan: StartupPlan, json: boolean): number {
  if (!existsSync(plan.unitPath)) {
    if (json) printJson({ removed: false, unitPath: plan.unitPath });
    else print(`no unit at ${plan.unitPath}: nothing to remove`);
    return 0;
  }
  runCommands(plan.disable);
  removeUnit(plan);
  const reload = plan.enable[0];
  if (plan.init === 'systemd' && reload) runCommands([reload]);
  if (json) printJson({ removed: true, unitPath: plan.unitPath });
  else
    print(
      `removed ${plan.unitPath}: the daemon no longer starts at boot (a running one keeps running until it is stopped)`,
    );
  return 0;
}

function check(plan: StartupPlan, context: CliContext, maxStopTimeoutMs: number, json?: boolean): number {
  let text: string;
  try {
    text = readFileSync(plan.unitPath, 'utf8');
  } catch {
    if (json) printJson({ installed: false, ok: false, unitPath: plan.unitPath, findings: [] });
    else printError(`no unit at ${plan.unitPath} (tend startup installs one)`);
    return EXIT_FAILURE;
  }
  const findings = checkInstalledUnit({
    unit: parseInstalledUnit(plan.init, text),
    tendHome: context.paths.home,
    neededTimeoutSec: getTimeoutStopSec(maxStopTimeoutMs),
    current: { nodePath: plan.nodePath, tendPath: plan.tendPath },
  });
  const ok = findings.every((finding) => finding.ok);
  if (json) printJson({ installed: true, ok, unitPath: plan.unitPath, findings });
  else {
    print(`${plan.unitPath}:`);
    for (const finding of findings) print(`  ${finding.ok ? 'ok ' : 'BAD'} ${finding.what}`);
    print(ok ? 'the unit starts a working tend' : 'the unit needs attention: run tend startup again');
  }
  return ok ? 0 : EXIT_FAILURE;
}

function notes(plan: StartupPlan) {
  return { warnings: plan.warnings, linger: plan.linger };
}

function printNotes(plan: StartupPlan): void {
  for (const warning of plan.warnings) printError(`warning: ${warning}`);
  if (plan.linger) print(`to start at boot without a login, run once: ${plan.linger}`);
}

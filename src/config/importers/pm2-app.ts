import { basename, extname } from 'node:path';
import { formatMs } from './format.js';
import { buildPm2Command } from './pm2-command.js';
import type { Pm2App } from './pm2-load.js';
import { readLogs } from './pm2-logs.js';
import { isNoteworthy, UNSUPPORTED_PM2_OPTIONS } from './pm2-options.js';
import { readRestart } from './pm2-restart.js';
import { type Note, Pm2ValueError, type Take, toEnv, toMs, toPath } from './pm2-values.js';
import type { TendYamlProgram } from './types.js';

// One pm2 app as a tend program. Reads each option (under any of its pm2 aliases) once; whatever
// is left over at the end is noted.

const PM2_STOP_SIGNAL = 'INT';
const DEFAULT_INSTANCE_VAR = 'NODE_APP_INSTANCE';

export interface AppContext {
  /** The env_NAME chosen with --env, merged over env like `pm2 start --env NAME`. */
  envName?: string;
  /** deploy.NAME.env from the ecosystem, under env (pm2 gives it the lowest priority). */
  deployEnv: Record<string, unknown>;
}

export function getPm2AppName(app: Pm2App): string {
  if (typeof app.name === 'string' && app.name !== '') return app.name;
  const script = String(app.script ?? app.exec ?? 'app');
  return basename(script, extname(script));
}

export function convertPm2App(app: Pm2App, context: AppContext, note: Note): TendYamlProgram {
  const used = new Set(['name']);
  const take = (...keys: string[]): unknown => {
    for (const key of keys) used.add(key);
    return keys.map((key) => app[key]).find((value) => value !== undefined);
  };
  const script = take('script', 'exec');
  if (typeof script !== 'string' || script === '')
    throw new Pm2ValueError('script: missing; every app needs one');
  const built = buildPm2Command(
    {
      script,
      args: take('args'),
      interpreter: take('interpreter', 'exec_interpreter'),
      interpreterArgs: take('node_args', 'interpreter_args', 'interpreterArgs'),
    },
    note,
  );
  const program: TendYamlProgram = { command: built.command };
  const cwd = take('cwd');
  if (cwd !== undefined) program.cwd = toPath(cwd, 'cwd');

  const env = readEnv(app, context, take, note);
  const offsetEnv = readInstances(program, env, built.interpreter, take, note);
  if (offsetEnv.length > 0) program.offsetEnv = offsetEnv;
  if (Object.keys(env).length > 0) program.env = env;

  readRestart(program, take, note);
  program.stopSignal = PM2_STOP_SIGNAL;
  const killTimeout = take('kill_timeout');
  if (killTimeout !== undefined) program.stopTimeout = formatMs(toMs(killTimeout, 'kill_timeout'));
  readReadiness(program, take, note);
  const user = take('uid', 'user');
  if (user !== undefined) program.user = String(user);
  const group = take('gid');
  if (group !== undefined) program.group = String(group);
  const logs = readLogs(program, take, note);
  if (Object.keys(logs).length > 0) program.logs = logs;

  for (const [key, value] of Object.entries(app)) {
    if (used.has(key) || key.startsWith('env_')) continue;
    const unsupported = UNSUPPORTED_PM2_OPTIONS[key];
    if (!unsupported) note(key, 'not a pm2 option tend knows; ignored');
    else if (isNoteworthy(value, unsupported.when)) note(key, unsupported.reason);
  }
  return program;
}

/**
 * pm2's wait_ready waits for `process.send('ready')`, at most listen_timeout: in tend that is
 * `ready: notify` (READY=1 over sd_notify) within `startTimeout`.
 */
function readReadiness(program: TendYamlProgram, take: Take, note: Note): void {
  const waitReady = take('wait_ready');
  const listenTimeout = take('listen_timeout');
  if (waitReady !== undefined && isNoteworthy(waitReady, 'truthy')) {
    program.ready = 'notify';
    if (listenTimeout !== undefined) program.startTimeout = formatMs(toMs(listenTimeout, 'listen_timeout'));
    note(
      'wait_ready',
      "became ready: notify; the app must send READY=1 over sd_notify (tend/daemon's ready() does), pm2's process.send('ready') is not heard",
    );
  } else if (listenTimeout !== undefined) {
    note(
      'listen_timeout',
      'without wait_ready a program counts as started after startSecs (1s); not carried over',
    );
  }
}

function readEnv(app: Pm2App, context: AppContext, take: Take, note: Note): Record<string, string> {
  const selected = context.envName ? app[`env_${context.envName}`] : undefined;
  const env = { ...toEnv(context.deployEnv), ...toEnv(take('env')), ...toEnv(selected) };
  const port = take('port');
  if (port !== undefined) env.PORT = String(port);
  if (context.envName && selected === undefined) {
    note(`env_${context.envName}`, `this app has no env_${context.envName}; used env alone`);
  }
  for (const key of Object.keys(app).filter((key) => key.startsWith('env_'))) {
    if (key === `env_${context.envName}`) continue;
    const envName = key.slice('env_'.length);
    note(
      key,
      `not applied; \`tend import pm2 FILE --env ${envName}\` merges it over env, like pm2 start --env ${envName}`,
    );
  }
  return env;
}

function readInstances(
  program: TendYamlProgram,
  env: Record<string, string>,
  interpreter: string,
  take: Take,
  note: Note,
): string[] {
  const value = take('instances');
  const execMode = take('exec_mode');
  const offsetEnv: string[] = [];
  if (value !== undefined) {
    const count = value === 'max' ? 0 : Number(value);
    if (!Number.isInteger(count))
      throw new Pm2ValueError(`instances: expected a number or "max", got ${JSON.stringify(value)}`);
    if (count < 0) note('instances', `pm2 ${count} meant all CPUs but ${-count}; tend's max is all of them`);
    if (count <= 0) program.instances = 'max';
    else if (count > 1) program.instances = count;
    // pm2 numbers instances in NODE_APP_INSTANCE (or instance_var): the same, through offsetEnv.
    const instanceVar = String(take('instance_var') ?? DEFAULT_INSTANCE_VAR);
    env[instanceVar] = '0';
    if (program.instances !== undefined) offsetEnv.push(instanceVar);
  }
  const incrementVar = take('increment_var');
  if (typeof incrementVar === 'string' && program.instances !== undefined) offsetEnv.push(incrementVar);
  // Without exec_mode, pm2 runs node apps that set instances in cluster mode.
  const isNode = interpreter === 'node' || interpreter === 'bun';
  const cluster =
    typeof execMode === 'string' ? execMode.startsWith('cluster') : value !== undefined && isNode;
  if (!cluster) return offsetEnv;
  if (program.instances === undefined) {
    note(
      'exec_mode',
      'cluster: tend runs one plain process (no Node.js cluster master; a reload is a restart)',
    );
  } else if (typeof incrementVar === 'string') {
    note(
      'exec_mode',
      `cluster: tend runs separate processes; ${incrementVar} is offset per instance as pm2 did`,
    );
  } else if (env.PORT !== undefined && /^\d+$/.test(env.PORT)) {
    offsetEnv.push('PORT');
    note(
      'exec_mode',
      `cluster: pm2 workers shared port ${env.PORT}; tend runs separate processes, so PORT is offset per instance (${env.PORT}, ${Number(env.PORT) + 1}, …): put a load balancer in front`,
    );
  } else {
    note(
      'exec_mode',
      'cluster: pm2 workers shared one listening port; tend runs separate processes that cannot all bind it: give each its own with offsetEnv: [PORT]',
    );
  }
  return offsetEnv;
}

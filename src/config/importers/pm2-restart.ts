import { formatMs, getGiveUpWindow } from './format.js';
import { type Note, Pm2ValueError, type Take, toMs } from './pm2-values.js';
import type { TendYamlProgram } from './types.js';

// pm2's restart options: autorestart, stop_exit_codes, restart_delay, the exponential backoff and
// the max_restarts / min_uptime pair.

const PM2_DEFAULT_MIN_UPTIME_MS = 1000;
const PM2_BACKOFF_MULTIPLIER = 1.5;
const PM2_BACKOFF_MAX_MS = 15_000;
const PM2_BACKOFF_RESET_MS = 30_000;

export function readRestart(program: TendYamlProgram, take: Take, note: Note): void {
  const autorestart = take('autorestart');
  if (autorestart === false || autorestart === 'false') program.restart = 'never';
  const autostart = take('autostart');
  if (autostart === false || autostart === 'false') program.autostart = false;
  const stopCodes = take('stop_exit_codes');
  if (stopCodes !== undefined && program.restart !== 'never') {
    const codes = [stopCodes].flat().map(Number);
    if (!codes.every((code) => Number.isInteger(code) && code >= 0 && code <= 255)) {
      throw new Pm2ValueError(`stop_exit_codes: expected exit codes, got ${JSON.stringify(stopCodes)}`);
    }
    program.restart = 'on-failure';
    program.successExitCodes = codes;
  }
  const restartDelay = take('restart_delay');
  if (restartDelay !== undefined) program.restartDelay = formatMs(toMs(restartDelay, 'restart_delay'));
  const minUptime = take('min_uptime');
  const minUptimeMs = minUptime === undefined ? undefined : toMs(minUptime, 'min_uptime');
  const expBackoff = take('exp_backoff_restart_delay');
  if (expBackoff !== undefined) {
    program.backoff = {
      initial: formatMs(toMs(expBackoff, 'exp_backoff_restart_delay')),
      multiplier: PM2_BACKOFF_MULTIPLIER,
      max: formatMs(PM2_BACKOFF_MAX_MS),
      resetAfter: formatMs(minUptimeMs ?? PM2_BACKOFF_RESET_MS),
    };
    if (minUptimeMs !== undefined) {
      note(
        'exp_backoff_restart_delay',
        'pm2 reset the backoff after 30s up; tend resets it after min_uptime, which it also uses to tell quick exits',
      );
    }
  } else if (minUptimeMs !== undefined) {
    program.backoff = { resetAfter: formatMs(minUptimeMs) };
  }
  const maxRestarts = take('max_restarts');
  if (maxRestarts !== undefined && program.restart !== 'never') {
    const failures = Math.max(1, Number(maxRestarts));
    if (!Number.isInteger(failures))
      throw new Pm2ValueError(`max_restarts: expected a number, got ${JSON.stringify(maxRestarts)}`);
    const quickMs = minUptimeMs ?? PM2_DEFAULT_MIN_UPTIME_MS;
    const within = getGiveUpWindow(
      failures,
      quickMs,
      expBackoff === undefined ? undefined : PM2_BACKOFF_MAX_MS,
    );
    program.giveUp = { failures, within };
    // A quick exit, for tend, is one shorter than resetAfter: pm2's min_uptime (1s unless set).
    program.backoff ??= { resetAfter: formatMs(quickMs) };
    note(
      'max_restarts',
      `pm2 stopped after ${maxRestarts} restarts that each lived less than ${formatMs(quickMs)}; tend gives up after ${failures} such exits within ${within}`,
    );
  }
}

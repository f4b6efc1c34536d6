import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import type { StartupScope } from './unit-name.js';

// The launchd job that runs `tend daemon run` for one TEND_HOME: a LaunchAgent (the user's, at
// login) or a LaunchDaemon (the system's, at boot, as UserName). RunAtLoad starts it; KeepAlive
// with SuccessfulExit=false restarts it after a crash but not after `tend daemon stop` (exit 0);
// ExitTimeOut gives the daemon time to stop every program before launchd sends SIGKILL.

export interface LaunchdJobSpec {
  readonly scope: StartupScope;
  readonly label: string;
  readonly nodePath: string;
  readonly tendPath: string;
  readonly tendHome: string;
  /** system scope: the account the daemon runs as (null: root). */
  readonly user: string | null;
  readonly pathEnv: string;
  readonly exitTimeoutSec: number;
  /** Where launchd sends the daemon's stdout and stderr. */
  readonly logPath: string;
}

export function renderLaunchdPlist(spec: LaunchdJobSpec): string {
  const user = spec.scope === 'system' && spec.user !== null && spec.user !== 'root' ? spec.user : null;
  const body = [
    key('Label', string(spec.label)),
    key(
      'ProgramArguments',
      array([spec.nodePath, ...DAEMON_NODE_FLAGS, spec.tendPath, 'daemon', 'run'].map(string)),
    ),
    key(
      'EnvironmentVariables',
      dict([key('TEND_HOME', string(spec.tendHome)), key('PATH', string(spec.pathEnv))]),
    ),
    ...(user ? [key('UserName', string(user))] : []),
    key('WorkingDirectory', string('/')),
    key('RunAtLoad', '<true/>'),
    key('KeepAlive', dict([key('SuccessfulExit', '<false/>')])),
    key('ExitTimeOut', `<integer>${spec.exitTimeoutSec}</integer>`),
    key('StandardOutPath', string(spec.logPath)),
    key('StandardErrorPath', string(spec.logPath)),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `tend startup`; `tend unstartup` removes it. See docs/boot.md. -->',
    '<plist version="1.0">',
    dict(body),
    '</plist>',
    '',
  ].join('\n');
}

function key(name: string, value: string): string {
  return `<key>${escapeXml(name)}</key>\n${value}`;
}

function string(text: string): string {
  return `<string>${escapeXml(text)}</string>`;
}

function array(items: string[]): string {
  return `<array>\n${indent(items.join('\n'))}\n</array>`;
}

function dict(entries: string[]): string {
  return `<dict>\n${indent(entries.join('\n'))}\n</dict>`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

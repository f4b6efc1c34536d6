import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { skipNodeFlags } from '../daemon/node-flags.js';
import type { InitSystem } from './startup-plan.js';

// `tend startup --check`: does the installed unit still start a working daemon? It reads the unit
// back (ExecStart or ProgramArguments, TEND_HOME, the stop timeout) and runs what it names:
// `node --version` (≥ 20) and `node tend version`. A node removed by a version manager, a moved
// package or a stop timeout that programs have outgrown are each one finding.

export const MIN_NODE_MAJOR = 20;
const PROBE_TIMEOUT_MS = 10_000;

export interface InstalledUnit {
  readonly argv: readonly string[];
  readonly tendHome: string | null;
  readonly timeoutStopSec: number | null;
}

export interface CheckFinding {
  readonly ok: boolean;
  readonly what: string;
}

export interface CheckInput {
  readonly unit: InstalledUnit;
  readonly tendHome: string;
  /** The timeout the programs need now (see getTimeoutStopSec). */
  readonly neededTimeoutSec: number;
  /** What `tend startup` would write today, to point out drift. */
  readonly current: { readonly nodePath: string; readonly tendPath: string };
  readonly probe?: (command: string, args: string[]) => { status: number | null; stdout: string };
}

export function checkInstalledUnit(input: CheckInput): CheckFinding[] {
  const probe = input.probe ?? runProbe;
  const findings: CheckFinding[] = [];
  const [nodePath] = input.unit.argv;
  const [tendPath] = skipNodeFlags(input.unit.argv.slice(1));
  if (!nodePath || !tendPath) return [{ ok: false, what: 'the unit does not name node and tend' }];
  const nodeVersion = isExecutable(nodePath) ? probe(nodePath, ['--version']) : null;
  const major = nodeVersion?.status === 0 ? Number(/^v(\d+)/.exec(nodeVersion.stdout.trim())?.[1]) : NaN;
  if (!nodeVersion) findings.push({ ok: false, what: `node ${nodePath} is missing or not executable` });
  else if (!(major >= MIN_NODE_MAJOR))
    findings.push({
      ok: false,
      what: `node ${nodePath} is ${nodeVersion.stdout.trim() || 'not runnable'}; tend needs ≥ ${MIN_NODE_MAJOR}`,
    });
  else findings.push({ ok: true, what: `node ${nodePath} runs (${nodeVersion.stdout.trim()})` });
  if (findings[0]?.ok) {
    const tend = probe(nodePath, [tendPath, 'version']);
    findings.push(
      tend.status === 0
        ? { ok: true, what: `tend ${tendPath} runs (${tend.stdout.trim()})` }
        : { ok: false, what: `tend ${tendPath} does not run (exit ${tend.status})` },
    );
  }
  if (input.unit.tendHome !== input.tendHome)
    findings.push({
      ok: false,
      what: `the unit runs TEND_HOME=${input.unit.tendHome ?? '(unset)'}, not ${input.tendHome}`,
    });
  const timeout = input.unit.timeoutStopSec;
  if (timeout !== null && timeout < input.neededTimeoutSec)
    findings.push({
      ok: false,
      what: `its stop timeout (${timeout}s) is below what the programs need (${input.neededTimeoutSec}s): run tend startup again`,
    });
  if (nodePath !== input.current.nodePath || tendPath !== input.current.tendPath)
    findings.push({
      ok: true,
      what: `note: tend startup would now write ${input.current.nodePath} ${input.current.tendPath}`,
    });
  return findings;
}

/** Reads the parts of an installed unit that the check needs. */
export function parseInstalledUnit(init: InitSystem, text: string): InstalledUnit {
  return init === 'systemd' ? parseSystemdUnit(text) : parseLaunchdPlist(text);
}

function parseSystemdUnit(text: string): InstalledUnit {
  const values = (key: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${key}=`))
      .map((line) => line.slice(key.length + 1));
  const exec = values('ExecStart')[0] ?? '';
  const environment = values('Environment').flatMap(splitSystemdWords);
  const home = environment.find((assignment) => assignment.startsWith('TEND_HOME='));
  const timeout = /^(\d+)s?$/.exec(values('TimeoutStopSec')[0] ?? '');
  return {
    argv: splitSystemdWords(exec).map((word) => word.replace(/\$\$/g, '$')),
    tendHome: home ? home.slice('TEND_HOME='.length) : null,
    timeoutStopSec: timeout ? Number(timeout[1]) : null,
  };
}

/** Splits a systemd command line: double quotes with backslash escapes; `%%` is a literal `%`. */
export function splitSystemdWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    const word = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] as string);
    words.push(word.replace(/%%/g, '%'));
  }
  return words;
}

function parseLaunchdPlist(text: string): InstalledUnit {
  const decodeXml = (value: string) =>
    value
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  const args = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text)?.[1] ?? '';
  const home = /<key>TEND_HOME<\/key>\s*<string>([^<]*)<\/string>/.exec(text)?.[1];
  const timeout = /<key>ExitTimeOut<\/key>\s*<integer>(\d+)<\/integer>/.exec(text)?.[1];
  return {
    argv: [...args.matchAll(/<string>([^<]*)<\/string>/g)].map((match) => decodeXml(match[1] as string)),
    tendHome: home === undefined ? null : decodeXml(home),
    timeoutStopSec: timeout === undefined ? null : Number(timeout),
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function runProbe(command: string, args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS });
  return { status: result.status, stdout: result.stdout ?? '' };
}

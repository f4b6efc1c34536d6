// The shape an importer produces: a tend.yaml as plain data, plus what could not be carried over.

export interface TendYamlBackoff {
  initial?: string;
  multiplier?: number;
  max?: string;
  resetAfter?: string;
}

export interface TendYamlLogs {
  out?: string;
  err?: string;
  merge?: boolean;
  timestamps?: boolean;
  format?: 'raw' | 'json';
  maxSize?: string | number;
  keep?: number;
  compress?: boolean;
  rotateDaily?: boolean;
}

/** One program as written in tend.yaml (every key optional, as in `defaults`). */
export interface TendYamlProgram {
  command?: string | string[];
  cwd?: string;
  instances?: number | 'max';
  offsetEnv?: string[];
  env?: Record<string, string>;
  envFile?: string | string[];
  dependsOn?: string[];
  autostart?: boolean;
  restart?: 'always' | 'on-failure' | 'never';
  onExit?: 'restart' | 'shutdown' | 'ignore';
  successExitCodes?: number[];
  restartDelay?: string;
  backoff?: TendYamlBackoff;
  giveUp?: { failures: number; within: string };
  startSecs?: string;
  ready?: 'startSecs' | 'notify' | 'fd';
  startTimeout?: string;
  watchdog?: string;
  stopSignal?: string;
  reloadSignal?: string;
  pidFile?: string;
  stopTimeout?: string;
  user?: string;
  group?: string;
  umask?: string;
  logs?: TendYamlLogs;
  sockets?: (string | TendYamlSocket)[];
  limits?: { memory?: string | number; cpu?: number; pids?: number };
}

/** A held socket (`sockets:`): the address alone, or with its LISTEN_FDNAMES name, backlog, mode. */
export interface TendYamlSocket {
  address: string;
  name?: string;
  backlog?: number;
  mode?: string;
}

export interface TendYamlConfig {
  defaults?: TendYamlProgram;
  programs: Record<string, TendYamlProgram>;
}

/** An option that was dropped or only approximated. `program` is null for the file as a whole. */
export interface ImportNote {
  program: string | null;
  option: string;
  reason: string;
}

export interface ImportResult {
  config: TendYamlConfig;
  notes: ImportNote[];
}

export type ImportSource = 'pm2' | 'supervisord' | 'procfile' | 'systemd';

/** The key order of tend.yaml, so every importer writes programs the same way. */
export const PROGRAM_KEY_ORDER: readonly (keyof TendYamlProgram)[] = [
  'command',
  'cwd',
  'instances',
  'offsetEnv',
  'env',
  'envFile',
  'dependsOn',
  'autostart',
  'restart',
  'onExit',
  'successExitCodes',
  'restartDelay',
  'backoff',
  'giveUp',
  'startSecs',
  'ready',
  'startTimeout',
  'watchdog',
  'stopSignal',
  'reloadSignal',
  'pidFile',
  'stopTimeout',
  'user',
  'group',
  'umask',
  'logs',
  'sockets',
  'limits',
];

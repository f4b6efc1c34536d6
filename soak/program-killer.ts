import type { ProgramRow } from '../test/e2e/helpers.js';
import { callApiOk } from './api.js';
import { delay } from './context.js';
import { isProgramLeader } from './proc.js';

// Random SIGKILLs of programs. Each tick asks the daemon for the programs (or, while no daemon
// answers, keeps the last answer) and kills one running program at random, but only:
// - a process that /proc confirms is that program's main process right now (so never a reused pid);
// - one this killer has not killed already (a zombie still accepts signals: it would count twice);
// - one that has run at least `minUptimeMs` (past `backoff.resetAfter`), so its restart is immediate.
// Every kill counted here must therefore show up as exactly one restart.

const API_TIMEOUT_MS = 1000;

export interface ProgramKillerOptions {
  readonly socket: string;
  readonly home: string;
  /** Only these programs are killed. */
  readonly names: readonly string[];
  readonly minUptimeMs: number;
}

export class ProgramKiller {
  kills = 0;
  /** Kills while no daemon answered (from the last list): the next daemon must notice them. */
  killsWhileDown = 0;
  #options: ProgramKillerOptions;
  #names: Set<string>;
  #killed = new Map<string, number>();
  #rows: ProgramRow[] = [];
  #rowsAt = 0;
  #stopped = false;
  #loop: Promise<void> | null = null;

  constructor(options: ProgramKillerOptions) {
    this.#options = options;
    this.#names = new Set(options.names);
  }

  /** Kills at most one program every `everyMs` until `stop()`. */
  start(everyMs: number): void {
    this.#stopped = false;
    this.#loop = (async () => {
      while (!this.#stopped) {
        const next = Date.now() + everyMs;
        await this.tick();
        await delay(Math.max(0, next - Date.now()));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    this.#loop = null;
  }

  /** The pid this killer killed last, per program: a program has restarted once its pid differs. */
  get killedPids(): ReadonlyMap<string, number> {
    return this.#killed;
  }

  async tick(): Promise<void> {
    let stale = false;
    try {
      this.#rows = await callApiOk<ProgramRow[]>(this.#options.socket, 'GET', '/v1/programs', {
        timeoutMs: API_TIMEOUT_MS,
      });
      this.#rowsAt = Date.now();
    } catch {
      stale = true;
    }
    const age = Date.now() - this.#rowsAt;
    const candidates = this.#rows.filter(
      (row) =>
        this.#names.has(row.name) &&
        row.state === 'running' &&
        row.pid !== null &&
        this.#killed.get(row.name) !== row.pid &&
        (row.uptimeMs ?? 0) + age >= this.#options.minUptimeMs,
    );
    const target = candidates[Math.floor(Math.random() * candidates.length)];
    if (!target?.pid) return;
    const { pid, name } = target;
    // Microseconds before the signal: the pid is still that program's live main process.
    if (!isProgramLeader(this.#options.home, name, pid)) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    this.#killed.set(name, pid);
    this.kills += 1;
    if (stale) this.killsWhileDown += 1;
  }
}

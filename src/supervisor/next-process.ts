import type { NextProcessHooks, ProcessWiring, ReadySoFar } from './process-wiring.js';
import { startProgramChecks } from './program-checks.js';
import { type CandidateProcess, type Retirees, spawnCandidate } from './reload-candidate.js';

// The new process of a replacing reload (docs/reload.md), from its spawn until the table promotes it
// to main or retires it: what of its readiness arrived, and the notify messages and the exit that
// are its own, not the main process's.

export class NextProcess {
  #wiring: ProcessWiring;
  #retirees: Retirees;
  #hooks: NextProcessHooks;
  /** The new process of a replacing reload, until it is ready (docs/reload.md). */
  #next: CandidateProcess | null = null;
  #nextSoFar: ReadySoFar = { said: false, checks: false };

  constructor(wiring: ProcessWiring, retirees: Retirees, hooks: NextProcessHooks) {
    this.#wiring = wiring;
    this.#retirees = retirees;
    this.#hooks = hooks;
  }

  /** Whether a reload's new process is running (a ready line is then its own). */
  get isActive(): boolean {
    return this.#next !== null;
  }

  /** The halves of its readiness that arrived, for the table; null without a new process. */
  get readySoFar(): ReadySoFar | null {
    return this.#next ? this.#nextSoFar : null;
  }

  /** An sd_notify sender that is the new process or one of its group. */
  isSender(senderPid: number): boolean {
    const next = this.#next;
    return next !== null && (senderPid === next.pid || this.#wiring.system.isInGroup(senderPid, next.pgid));
  }

  /** A reload: the new process starts beside the running one, with the same launch and sockets. Returns why it could not, or null. */
  spawn(): string | null {
    const { spec, system } = this.#wiring;
    const next = spawnCandidate({
      spec,
      system,
      capture: this.#wiring.capture,
      readiness: this.#wiring.readiness,
      recordIntent: this.#wiring.recordSpawnIntent,
      listenFds: this.#wiring.listenFds,
      tree: this.#wiring.tree,
      onExit: (pid, code, signal) => this.#hooks.onExit(pid, code, signal),
    });
    if ('failure' in next) return next.failure;
    this.#next = next;
    this.#nextSoFar = { said: false, checks: false };
    next.health = startProgramChecks({
      spec,
      clock: system,
      probes: this.#wiring.probes,
      adopted: false,
      dispatch: (event) => {
        if (this.#next !== next) return;
        if (event.type === 'checks-passed') this.#hooks.dispatch({ type: 'next-ready', part: 'checks' });
        else if (event.type === 'health-failed')
          this.#hooks.dispatch({ type: 'next-failed', reason: event.reason });
      },
      note: (message) => this.#hooks.note(next.pid, message),
    });
    return null;
  }

  noteReady(part: keyof ReadySoFar): void {
    this.#nextSoFar = { ...this.#nextSoFar, [part]: true };
  }

  /** The new process is ready: it is handed over to become the main one, and is no longer this. */
  takeForPromotion(): CandidateProcess | null {
    const next = this.#next;
    this.#next = null;
    return next;
  }

  /** The new process failed (or a stop came): it goes; the old one stays as it was. */
  retire(): void {
    const next = this.#next;
    if (!next) return;
    this.#next = null;
    next.health?.stop();
    if (!next.exited)
      this.#retirees.retire(next.pid, next.pgid, this.#wiring.spec.stopSignal, this.#wiring.spec.stopTimeout);
  }

  /** `pid` ended: when it was the new process, the table hears it (next-exit) and this returns true. */
  onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): boolean {
    const next = this.#next;
    if (next && next.pid === pid && !next.exited) {
      next.exited = true;
      next.health?.stop();
      // What the new process left in its group goes with it.
      this.#wiring.system.kill(-next.pgid, 'SIGKILL');
      const uptimeMs = this.#wiring.system.now() - next.startedAt;
      this.#hooks.dispatch({ type: 'next-exit', exit: { code, signal, uptimeMs } });
      return true;
    }
    return false;
  }

  /** The daemon lets go (release): its checks stop, its process is left alone. */
  cancel(): void {
    this.#next?.health?.stop();
  }
}

import { EventEmitter } from 'node:events';
import { BadTransitionError } from '../errors.js';
import type { Capture } from '../logs/capture.js';
import type { CgroupUsage } from '../process/cgroup.js';
import type { HealthNote, ProgramSnapshot, RuntimeRecord, State, StateChange } from '../program-record.js';
import { MainProcess } from './main-process.js';
import { NextProcess } from './next-process.js';
import { createProcessWiring, type ProcessWiring, type ProcessWiringOptions } from './process-wiring.js';
import { getMachineContext } from './program-context.js';
import { buildSnapshot, type ProgramStanding, restoreStanding } from './program-standing.js';
import { ProgramTimers } from './program-timers.js';
import { Retirees } from './reload-candidate.js';
import type { Effect, MachineEvent } from './states.js';
import { IMPOSSIBLE, transition } from './transitions.js';

// One supervised program: every input (a request, an exit, a timer, a readiness message) becomes an
// event for the transition table, and this is the one place that applies the resulting effects and
// changes state. Every change is announced once, as a `state-changed` event. Its processes are
// MainProcess (main-process.ts) and, during a replacing reload, NextProcess (next-process.ts).

export class ManagedProgram extends EventEmitter<{
  'state-changed': [StateChange];
  'health-changed': [HealthNote];
}> {
  #wiring: ProcessWiring;
  #main: MainProcess;
  #next: NextProcess;
  #retirees: Retirees;
  #timers: ProgramTimers;
  #standing: ProgramStanding;
  #dispatching = false;
  #queue: MachineEvent[] = [];

  constructor(options: ProcessWiringOptions & { saved?: ProgramSnapshot }) {
    super();
    this.#wiring = createProcessWiring(options);
    this.#retirees = new Retirees(options.system);
    const onExit = (pid: number, code: number | null, signal: NodeJS.Signals | null) =>
      this.#onExit(pid, code, signal);
    const dispatch = (event: MachineEvent) => this.dispatch(event);
    const note = (pid: number | null, message: string) =>
      this.emit('health-changed', { name: this.name, pid, message });
    this.#main = new MainProcess(this.#wiring, this.#retirees, {
      getState: () => this.#standing.state,
      dispatch,
      enqueue: (event) => this.#queue.push(event),
      onExit,
      note,
    });
    this.#next = new NextProcess(this.#wiring, this.#retirees, { dispatch, onExit, note });
    this.#timers = new ProgramTimers(options.system, dispatch);
    this.#standing = restoreStanding(options.saved);
  }

  get name(): string {
    return this.#wiring.spec.name;
  }

  get state(): State {
    return this.#standing.state;
  }

  get pid(): number | null {
    return this.#main.pid;
  }

  get capture(): Capture {
    return this.#wiring.capture;
  }

  snapshot(): ProgramSnapshot {
    return buildSnapshot(this.#wiring, this.#standing, this.#main.snapshot());
  }

  /** CPU and memory of the program's whole process tree (its cgroup); null where there is none. */
  usage(): CgroupUsage | null {
    return this.#wiring.tree?.usage() ?? null;
  }

  /** Feeds one event through the table. Events raised while effects run are queued, never nested. */
  dispatch(event: MachineEvent): void {
    this.#queue.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) this.#step(next);
    } finally {
      this.#dispatching = false;
      this.#queue.length = 0;
    }
  }

  /** Takes over a process that a previous daemon started and that is still alive. */
  adopt(runtime: RuntimeRecord): void {
    this.#main.adopt(runtime);
  }

  /** Called on a FIFO EOF: for an adopted program it means the process tree has likely gone. */
  checkAdoptedNow(): void {
    this.#main.checkAdoptedNow();
  }

  /** Called when a stop is requested of an adopted program, so its end is noticed quickly. */
  pollAdoptedSoon(): void {
    this.#main.pollAdoptedSoon();
  }

  /** Sends a signal to the main process only (like `kill`), not to its group. */
  signal(signal: NodeJS.Signals): boolean {
    return this.#main.signal(signal);
  }

  /**
   * An sd_notify datagram. Only processes of the program's own group are listened to; during a
   * reload the new process's group is heard too, for its READY=1.
   */
  onNotify(fields: ReadonlyMap<string, string>, senderPid: number): void {
    if (this.#next.isSender(senderPid)) {
      if (fields.get('READY') === '1') this.dispatch({ type: 'next-ready' });
      return;
    }
    this.#main.onNotify(fields, senderPid);
  }

  /** The fd protocol: a newline from the program means ready (from the new process, during a reload). */
  onReadyLine(): void {
    this.dispatch(this.#next.isActive ? { type: 'next-ready' } : { type: 'ready' });
  }

  /** Whether any process of the program is alive (its cgroup, or the /proc sweep, still finds one). */
  hasProcessesLeft(): boolean {
    return (this.#wiring.tree?.countAlive() ?? 0) > 0;
  }

  /** Stops watching and reading without touching the process: it keeps running for the next daemon. */
  release(): void {
    this.#wiring.readiness?.close();
    this.#timers.cancelAll();
    this.#main.release();
    this.#next.cancel();
    this.#retirees.cancel();
    this.#wiring.capture.detach();
    this.#wiring.tree?.remove();
  }

  #step(event: MachineEvent): void {
    const from = this.#standing.state;
    const context = getMachineContext(
      this.#wiring.spec,
      {
        desired: this.#standing.desired,
        consecutiveFailures: this.#standing.consecutiveFailures,
        recentFailures: this.#standing.recentFailures,
        ...this.#main.facts,
        next: this.#next.readySoFar,
      },
      this.#wiring.system.now(),
    );
    const result = transition(from, event, context);
    if (result === IMPOSSIBLE) throw new BadTransitionError(this.name, from, event.type);
    if (result.desired) this.#standing.desired = result.desired;
    const exit = event.type === 'exit' ? event.exit : null;
    if (exit) {
      this.#standing.exitCode = exit.code;
      this.#standing.exitSignal = exit.signal;
    }
    this.#standing.state = result.next;
    if (result.reason !== undefined || from !== result.next) this.#standing.reason = result.reason ?? null;
    const pidBefore = this.#main.pid;
    for (const effect of result.effects) this.#apply(effect);
    const noted = result.reason !== undefined && event.type !== 'watchdog-ping';
    if (from !== result.next || exit || this.#main.pid !== pidBefore || noted) {
      this.emit('state-changed', {
        name: this.name,
        from,
        to: this.#standing.state,
        event: event.type,
        reason: this.#standing.reason,
        // An exit is recorded with the pid that exited, not the one a restart just spawned.
        pid: exit ? this.#main.exitedPid : (this.#main.pid ?? pidBefore),
        exit,
      });
    }
  }

  #apply(effect: Effect): void {
    switch (effect.type) {
      case 'spawn':
        this.#main.spawn();
        return;
      case 'kill-group':
        this.#main.killGroup(effect.signal);
        return;
      case 'reap-group':
        this.#main.reapGroup(effect.signal);
        return;
      case 'arm-timer':
        this.#timers.arm(effect.timer, effect.ms);
        return;
      case 'cancel-timers':
        this.#timers.cancelAll();
        return;
      case 'count-restart':
        this.#standing.restarts += 1;
        return;
      case 'set-failures':
        this.#standing.consecutiveFailures = effect.consecutive;
        this.#standing.recentFailures = effect.recent;
        return;
      case 'note-ready':
        this.#main.noteReady(effect.part);
        return;
      case 'note-kill-cause':
        this.#main.noteKillCause(effect.cause);
        return;
      case 'spawn-next': {
        // A reload: the new process starts beside the running one; a failure is queued behind this step.
        const failure = this.#next.spawn();
        if (failure !== null) this.#queue.push({ type: 'next-failed', reason: failure });
        return;
      }
      case 'promote-next': {
        const next = this.#next.takeForPromotion();
        if (next) this.#main.promote(next);
        return;
      }
      case 'retire-next':
        this.#next.retire();
        return;
      case 'note-next-ready':
        this.#next.noteReady(effect.part);
        return;
      case 'cancel-timer':
        this.#timers.cancel(effect.timer);
        return;
      case 'signal-main':
        this.#main.signal(effect.signal);
        return;
      case 'follow-pid':
        this.#main.followPid(effect.pid);
        return;
    }
  }

  /** A process of the program ended: one being retired, a reload's new one, or the main one. */
  #onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#retirees.has(pid)) {
      this.#retirees.onExit(pid);
      return;
    }
    if (this.#next.onExit(pid, code, signal)) return;
    this.#main.onMainExit(pid, code, signal);
  }
}

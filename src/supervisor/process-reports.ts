import type { RuntimeRecord } from '../program-record.js';
import { readNotifyFields } from './notify-message.js';
import type { ReadySoFar } from './process-wiring.js';
import type { MachineEvent } from './states.js';
import type { System } from './system.js';

// What is known of the current main process beyond its pid: what it reported by sd_notify (STATUS=,
// a WATCHDOG_USEC= override; READY=, WATCHDOG=, EXTEND_TIMEOUT_USEC= and MAINPID= become events), the
// halves of readiness that arrived, and why tend is killing it. Kept apart from MainProcess so the
// process's spawn and exit code does not also hold what the process said.

export class ProcessReports {
  #system: System;
  #dispatch: (event: MachineEvent) => void;
  #statusText: string | null = null;
  #watchdogOverrideMs: number | null = null;
  /** Of the current process: the halves of readiness that arrived, and why tend is killing it. */
  #readySoFar: ReadySoFar = { said: false, checks: false };
  #killCause: string | null = null;

  constructor(system: System, dispatch: (event: MachineEvent) => void) {
    this.#system = system;
    this.#dispatch = dispatch;
  }

  get statusText(): string | null {
    return this.#statusText;
  }

  /** What the table's context needs of the current process. */
  get facts(): { readySoFar: ReadySoFar; killCause: string | null; watchdogOverrideMs: number | null } {
    return {
      readySoFar: this.#readySoFar,
      killCause: this.#killCause,
      watchdogOverrideMs: this.#watchdogOverrideMs,
    };
  }

  /** An sd_notify datagram; only processes of the program's own group are listened to. */
  onNotify(fields: ReadonlyMap<string, string>, senderPid: number, runtime: RuntimeRecord): void {
    if (senderPid !== runtime.pid && !this.#system.isInGroup(senderPid, runtime.pgid)) return;
    const message = readNotifyFields(fields);
    if (message.status !== undefined) this.#statusText = message.status;
    if (message.watchdogMs !== null) this.#watchdogOverrideMs = message.watchdogMs;
    for (const event of message.events) this.#dispatch(event);
    const mainPid = Number(fields.get('MAINPID'));
    // The new main process must be one of the program's own (its process group), as systemd requires.
    if (Number.isInteger(mainPid) && mainPid > 0 && mainPid !== runtime.pid) {
      if (this.#system.isInGroup(mainPid, runtime.pgid))
        this.#dispatch({ type: 'main-pid', pid: mainPid, source: 'MAINPID=' });
    }
  }

  noteReady(part: keyof ReadySoFar): void {
    this.#readySoFar = { ...this.#readySoFar, [part]: true };
  }

  noteKillCause(cause: string | null): void {
    this.#killCause = cause;
  }

  /** A fresh spawn: STATUS= and WATCHDOG_USEC= of the process before it no longer apply. */
  clearNotified(): void {
    this.#statusText = null;
    this.#watchdogOverrideMs = null;
  }

  /** STATUS= described the process that just ended: a stopped program says nothing any more. */
  clearStatus(): void {
    this.#statusText = null;
  }

  /** Checks start on a process (spawned or adopted): nothing of its readiness has arrived yet. */
  clearReadiness(): void {
    this.#readySoFar = { said: false, checks: false };
    this.#killCause = null;
  }

  /** A reload's new process took over, already ready, having reported nothing to this program yet. */
  takeOverReady(): void {
    this.#readySoFar = { said: true, checks: true };
    this.#killCause = null;
    this.#statusText = null;
    this.#watchdogOverrideMs = null;
  }
}

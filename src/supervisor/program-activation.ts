import type { ProgramSpec } from '../config/program-schema.js';
import { type ActivationSystem, SocketActivation } from '../sockets/activation.js';
import type { HeldSockets } from '../sockets/held-sockets.js';
import { getProgramKey } from './program-key.js';
import type { ProgramRegistry } from './program-registry.js';
import { stopPrograms } from './program-waits.js';
import { hasProcess } from './states.js';
import type { System } from './system.js';

// Socket activation for the programs of one daemon (activation: socket, idleStop): their held
// sockets wait for the first connection, which starts every instance of the key; a running activated
// program with no connection for idleStop ms is stopped and waits again.

export interface ProgramActivationOptions {
  readonly activationSystem: ActivationSystem;
  readonly system: System;
  readonly sockets: HeldSockets;
  readonly registry: ProgramRegistry;
  readonly log: { info(message: string): void };
}

export class ProgramActivation {
  #activation: SocketActivation;
  #options: ProgramActivationOptions;

  constructor(options: ProgramActivationOptions) {
    this.#options = options;
    this.#activation = new SocketActivation(options.activationSystem, options.system);
  }

  /** Whether a program without a process is waiting on its sockets (`listening` in its snapshot). */
  isListening(spec: ProgramSpec): boolean {
    return this.#activation.isArmed(getProgramKey(spec));
  }

  /** activation: socket — the first connection on the held sockets starts every instance of the key. */
  arm(spec: ProgramSpec): void {
    const key = getProgramKey(spec);
    const fds = this.#options.sockets.acquire(key, spec.sockets).map((socket) => socket.fd);
    this.#activation.arm(key, fds, () => {
      this.#options.log.info(`${key}: a connection arrived on its socket; starting it`);
      for (const program of this.#options.registry.findInstances(key)) {
        if (!hasProcess(program.state)) program.dispatch({ type: 'start' });
      }
    });
  }

  /** idleStop: a running activated program with no connection for that long is stopped and listens again. */
  watchIdle(spec: ProgramSpec): void {
    if (spec.activation !== 'socket' || spec.idleStop === null) return;
    const key = getProgramKey(spec);
    const addresses = this.#options.sockets.get(key).map((socket) => socket.address);
    this.#activation.watchIdle(key, addresses, spec.idleStop, () => {
      const instances = this.#options.registry.findInstances(key);
      this.#options.log.info(`${key}: no connection for ${spec.idleStop} ms; stopping it until the next one`);
      void stopPrograms(instances, this.#options.system).then(() => {
        if (instances.every((p) => this.#options.registry.has(p.name))) this.arm(spec);
      });
    });
  }

  /** A stop asked for by the user ends socket activation too (`tend start` runs it again). */
  disarm(spec: ProgramSpec): void {
    const key = getProgramKey(spec);
    this.#activation.disarm(key);
    this.#activation.stopIdle(key);
  }

  close(): void {
    this.#activation.close();
  }
}

import { readFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../clock.js';
import { getNativeHelper } from '../native.js';
import { parseSocketAddress } from './socket-address.js';

// `activation: socket` (docs/reload.md): the program is not started until a connection arrives on
// one of its held sockets; the daemon sees it by polling a copy of the listening fd for readability
// (it never accepts: the connection waits in the backlog for the program). `idleStop`: a running
// program with no connection for that long is stopped, and the sockets are watched again.

export interface ActivationSystem {
  /** Calls onReadable once a connection waits on fd; close() stops watching. */
  watchConnection(fd: number, onReadable: () => void): { close(): void };
  /** Connections open or waiting on a held socket's address (from /proc/net). */
  countConnections(address: string): number;
}

const IDLE_POLL_MAX_MS = 5000;

export class SocketActivation {
  #system: ActivationSystem;
  #clock: Clock;
  #armed = new Map<string, { close(): void }[]>();
  #idle = new Map<string, TimerHandle>();

  constructor(system: ActivationSystem, clock: Clock) {
    this.#system = system;
    this.#clock = clock;
  }

  isArmed(key: string): boolean {
    return this.#armed.has(key);
  }

  /** Watches the sockets of `key`; the first connection disarms them and calls onConnection. */
  arm(key: string, fds: readonly number[], onConnection: () => void): void {
    if (this.#armed.has(key) || fds.length === 0) return;
    const watches = fds.map((fd) =>
      this.#system.watchConnection(fd, () => {
        if (!this.#armed.has(key)) return;
        this.disarm(key);
        onConnection();
      }),
    );
    this.#armed.set(key, watches);
  }

  disarm(key: string): void {
    for (const watch of this.#armed.get(key) ?? []) watch.close();
    this.#armed.delete(key);
  }

  /** Calls onIdle once no connection has been open or waiting on `addresses` for idleMs. */
  watchIdle(key: string, addresses: readonly string[], idleMs: number, onIdle: () => void): void {
    this.stopIdle(key);
    const pollMs = Math.max(50, Math.min(IDLE_POLL_MAX_MS, Math.floor(idleMs / 4)));
    let quietSince = this.#clock.now();
    const poll = () => {
      const busy = addresses.some((address) => this.#system.countConnections(address) > 0);
      const now = this.#clock.now();
      if (busy) quietSince = now;
      if (now - quietSince >= idleMs) {
        this.#idle.delete(key);
        onIdle();
        return;
      }
      this.#idle.set(key, this.#clock.setTimer(pollMs, poll, { background: true }));
    };
    this.#idle.set(key, this.#clock.setTimer(pollMs, poll, { background: true }));
  }

  stopIdle(key: string): void {
    this.#idle.get(key)?.cancel();
    this.#idle.delete(key);
  }

  close(): void {
    for (const key of [...this.#armed.keys()]) this.disarm(key);
    for (const key of [...this.#idle.keys()]) this.stopIdle(key);
  }
}

export const nodeActivationSystem: ActivationSystem = {
  watchConnection(fd, onReadable) {
    const native = getNativeHelper();
    if (!native?.watchReadable || !native.dupFd) throw new Error('socket activation needs the native helper');
    // The watcher owns and closes its fd: it gets a copy, the held socket stays open.
    return native.watchReadable(native.dupFd(fd), onReadable);
  },
  countConnections(address) {
    const parsed = parseSocketAddress(address);
    if (!parsed) return 0;
    if (parsed.kind === 'unix') return countUnix(parsed.path);
    return countTcp(parsed.port);
  },
};

/** ESTABLISHED connections on the port, plus connections waiting in its LISTEN socket's queue. */
function countTcp(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5 || !fields[1]?.endsWith(`:${hexPort}`)) continue;
      if (fields[3] === '01') count += 1;
      else if (fields[3] === '0A') count += Number.parseInt(fields[4]?.split(':')[1] ?? '0', 16) || 0;
    }
  }
  return count;
}

/** Connected stream sockets at the path (the server's side of each accepted connection). */
function countUnix(path: string): number {
  try {
    return readFileSync('/proc/net/unix', 'latin1')
      .split('\n')
      .slice(1)
      .filter((line) => {
        const fields = line.trim().split(/\s+/);
        return fields[7] === path && fields[5] === '03';
      }).length;
  } catch {
    return 0;
  }
}

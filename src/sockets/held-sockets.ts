import type { SocketInput } from '../config/socket-schema.js';
import { DEFAULT_SOCKET_BACKLOG, DEFAULT_UNIX_SOCKET_MODE } from '../config/socket-schema.js';
import { TendError } from '../errors.js';
import { parseSocketAddress } from './socket-address.js';
import type { SocketSystem } from './socket-system.js';

// The listening sockets the daemon holds for programs, by program key (all instances of a program
// share them, so the kernel spreads connections). Bound once and kept while the program exists:
// across its restarts and reloads the socket stays open and connections wait in its backlog.
// After a daemon restart they are taken back from a live process of the program (pidfd_getfd),
// so it is still the same socket; only when none can be taken back is a new one bound.

export interface HeldSocket {
  readonly name: string;
  /** The canonical address, as the kernel reports it (tcp://127.0.0.1:3000, unix:/run/a.sock). */
  readonly address: string;
  readonly fd: number;
}

export class SocketBindError extends TendError {
  constructor(program: string, address: string, cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the address is already in use'
        : code === 'EACCES'
          ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
          : code === 'EEXIST'
            ? 'a file that is not a socket is in the way'
            : code === 'EADDRNOTAVAIL'
              ? 'no interface of this machine has that address'
              : cause.message;
    super('SPAWN_FAILED', `Program "${program}" cannot listen on ${address}: ${why}`, { cause });
  }
}

/** The name of socket `index` in LISTEN_FDNAMES: its own, else the program's key (then key-2…). */
export function getSocketName(key: string, socket: SocketInput, index: number): string {
  return socket.name ?? (index === 0 ? key : `${key}-${index + 1}`);
}

export class HeldSockets {
  #system: SocketSystem;
  #held = new Map<string, HeldSocket[]>();

  constructor(system: SocketSystem) {
    this.#system = system;
  }

  /** The sockets of `key` as configured: what is held already is kept, a changed address is rebound. */
  acquire(key: string, sockets: readonly SocketInput[]): HeldSocket[] {
    const held = this.#held.get(key) ?? [];
    const next: HeldSocket[] = [];
    try {
      for (const [index, socket] of sockets.entries()) {
        const address = canonical(socket);
        const name = getSocketName(key, socket, index);
        const kept = held.find((candidate) => candidate.address === address);
        next.push(kept ? { ...kept, name } : { name, address, fd: this.#bind(key, socket) });
      }
    } catch (error) {
      for (const socket of next) if (!held.includes(socket)) this.#system.close(socket.fd);
      throw error;
    }
    for (const socket of held) {
      if (!next.some((kept) => kept.fd === socket.fd)) this.#close(socket, true);
    }
    this.#held.set(key, next);
    return next;
  }

  /**
   * After a daemon restart: takes the sockets of `key` back from the first of `pids` that still
   * holds them. Returns the addresses taken back; the others are left for acquire to bind.
   */
  recover(key: string, sockets: readonly SocketInput[], pids: readonly number[]): string[] {
    const wanted = new Map(sockets.map((socket, index) => [canonical(socket), { socket, index }]));
    const found: HeldSocket[] = [...(this.#held.get(key) ?? [])];
    for (const pid of pids) {
      for (const fd of this.#system.listSocketFds(pid)) {
        const missing = [...wanted.keys()].filter(
          (address) => !found.some((held) => held.address === address),
        );
        if (missing.length === 0) break;
        let copy: number;
        try {
          copy = this.#system.takeFd(pid, fd);
        } catch {
          continue;
        }
        const address = this.#system.describe(copy);
        const entry = address === null ? undefined : wanted.get(address);
        if (address === null || !entry || found.some((held) => held.address === address)) {
          this.#system.close(copy);
          continue;
        }
        found.push({ name: getSocketName(key, entry.socket, entry.index), address, fd: copy });
      }
    }
    this.#held.set(key, found);
    return found.map((socket) => socket.address);
  }

  get(key: string): readonly HeldSocket[] {
    return this.#held.get(key) ?? [];
  }

  /** The program is gone: its sockets are closed (a unix socket's file removed). */
  release(key: string): void {
    for (const socket of this.#held.get(key) ?? []) this.#close(socket, true);
    this.#held.delete(key);
  }

  /** The daemon exits: with programs stopped the sockets go; left running, the programs keep them. */
  closeAll(options: { removeFiles: boolean }): void {
    for (const sockets of this.#held.values())
      for (const socket of sockets) this.#close(socket, options.removeFiles);
    this.#held.clear();
  }

  #bind(key: string, socket: SocketInput): number {
    const address = parseSocketAddress(socket.address);
    if (!address) throw new SocketBindError(key, socket.address, new Error('not a socket address'));
    const backlog = socket.backlog ?? DEFAULT_SOCKET_BACKLOG;
    try {
      if (address.kind === 'tcp') return this.#system.listenTcp(address.host, address.port, backlog);
      const mode = Number.parseInt(socket.mode ?? DEFAULT_UNIX_SOCKET_MODE, 8);
      return this.#system.listenUnix(address.path, backlog, mode);
    } catch (error) {
      throw new SocketBindError(key, address.canonical, error as Error);
    }
  }

  #close(socket: HeldSocket, removeFile: boolean): void {
    this.#system.close(socket.fd);
    if (removeFile && socket.address.startsWith('unix:'))
      this.#system.unlink(socket.address.slice('unix:'.length));
  }
}

function canonical(socket: SocketInput): string {
  return parseSocketAddress(socket.address)?.canonical ?? socket.address;
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getSocketName, HeldSockets, SocketBindError } from './held-sockets.js';
import type { SocketSystem } from './socket-system.js';

/** A kernel of listening sockets by fd; processes hold fds by number. */
class FakeSocketSystem implements SocketSystem {
  open = new Map<number, string>();
  processes = new Map<number, Map<number, string>>();
  unlinked: string[] = [];
  inUse = new Set<string>();
  #next = 10;
  listenTcp(host: string, port: number): number {
    const address = host.includes(':') ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}`;
    if (this.inUse.has(address)) throw Object.assign(new Error('bind: in use'), { code: 'EADDRINUSE' });
    return this.#add(address);
  }
  listenUnix(path: string): number {
    return this.#add(`unix:${path}`);
  }
  takeFd(pid: number, fd: number): number {
    const address = this.processes.get(pid)?.get(fd);
    if (!address) throw Object.assign(new Error('pidfd_getfd'), { code: 'EBADF' });
    return this.#add(address);
  }
  describe(fd: number): string | null {
    return this.open.get(fd) ?? null;
  }
  listSocketFds(pid: number): number[] {
    return [...(this.processes.get(pid)?.keys() ?? [])];
  }
  close(fd: number): void {
    this.open.delete(fd);
  }
  unlink(path: string): void {
    this.unlinked.push(path);
  }
  #add(address: string): number {
    const fd = this.#next++;
    this.open.set(fd, address);
    return fd;
  }
}

describe('HeldSockets', () => {
  test('binds once per program key: every instance gets the same fds', () => {
    const system = new FakeSocketSystem();
    const held = new HeldSockets(system);
    const first = held.acquire('web', [
      { address: 'tcp://127.0.0.1:3000' },
      { address: 'unix:/run/web.sock', name: 'admin' },
    ]);
    const second = held.acquire('web', [
      { address: 'tcp://localhost:3000' },
      { address: 'unix:/run/web.sock', name: 'admin' },
    ]);
    assert.deepEqual(second, first);
    assert.deepEqual(
      first.map((socket) => [socket.name, socket.address]),
      [
        ['web', 'tcp://127.0.0.1:3000'],
        ['admin', 'unix:/run/web.sock'],
      ],
    );
    assert.equal(system.open.size, 2);
  });

  test('a changed address is rebound and the old socket closed; the unchanged one is kept', () => {
    const system = new FakeSocketSystem();
    const held = new HeldSockets(system);
    const [a, b] = held.acquire('web', [
      { address: 'tcp://127.0.0.1:3000' },
      { address: 'unix:/run/a.sock' },
    ]);
    const next = held.acquire('web', [{ address: 'tcp://127.0.0.1:3000' }, { address: 'unix:/run/b.sock' }]);
    assert.equal(next[0]?.fd, a?.fd);
    assert.notEqual(next[1]?.fd, b?.fd);
    assert.equal(system.open.has(b?.fd as number), false);
    assert.deepEqual(system.unlinked, ['/run/a.sock']);
  });

  test('a failed bind names the program and the address, and leaves nothing half bound', () => {
    const system = new FakeSocketSystem();
    system.inUse.add('tcp://127.0.0.1:3001');
    const held = new HeldSockets(system);
    assert.throws(
      () => held.acquire('web', [{ address: 'tcp://127.0.0.1:3000' }, { address: 'tcp://127.0.0.1:3001' }]),
      (error: Error) =>
        error instanceof SocketBindError &&
        error.message ===
          'Program "web" cannot listen on tcp://127.0.0.1:3001: the address is already in use',
    );
    assert.equal(system.open.size, 0);
    assert.deepEqual(held.get('web'), []);
  });

  test('takes its sockets back from a live process after a daemon restart, checking what each fd is', () => {
    const system = new FakeSocketSystem();
    system.processes.set(
      500,
      new Map([
        [0, 'tcp://10.0.0.1:9'], // some other socket of the program
        [3, 'tcp://127.0.0.1:3000'],
      ]),
    );
    system.processes.set(501, new Map([[4, 'unix:/run/web.sock']]));
    const held = new HeldSockets(system);
    const sockets = [{ address: 'tcp://127.0.0.1:3000' }, { address: 'unix:/run/web.sock', name: 'admin' }];
    const recovered = held.recover('web', sockets, [499, 500, 501]);
    assert.deepEqual(recovered, ['tcp://127.0.0.1:3000', 'unix:/run/web.sock']);
    assert.equal(system.open.size, 2, 'the fd that was not ours was closed again');
    const acquired = held.acquire('web', sockets);
    assert.deepEqual(acquired, held.get('web'));
    assert.deepEqual(
      acquired.map((socket) => socket.name),
      ['web', 'admin'],
    );
    assert.equal(system.open.size, 2, 'nothing new was bound');
  });

  test('release closes the sockets and removes unix socket files', () => {
    const system = new FakeSocketSystem();
    const held = new HeldSockets(system);
    held.acquire('web', [{ address: 'unix:/run/web.sock' }]);
    held.release('web');
    assert.equal(system.open.size, 0);
    assert.deepEqual(system.unlinked, ['/run/web.sock']);
  });

  test('names default to the program key, then key-2…', () => {
    assert.equal(getSocketName('web', { address: 'x' }, 0), 'web');
    assert.equal(getSocketName('web', { address: 'x' }, 2), 'web-3');
    assert.equal(getSocketName('web', { address: 'x', name: 'http' }, 0), 'http');
  });
});

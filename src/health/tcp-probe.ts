import { connect } from 'node:net';
import { parseHostPort } from '../config/check-schema.js';
import type { Probe } from './probe.js';

// A tcp check: healthy when a connection to host:port is accepted; the connection is closed at once.

export function createTcpProbe(address: string): Probe {
  const target = parseHostPort(address);
  if (!target) throw new Error(`not a host:port: ${address}`);
  return (signal) =>
    new Promise((resolve) => {
      const socket = connect({ host: target.host, port: target.port });
      const abort = () => socket.destroy();
      signal.addEventListener('abort', abort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', abort);
        socket.destroy();
        resolve({ ok: true, message: `connected to ${address}`, output: '' });
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        signal.removeEventListener('abort', abort);
        socket.destroy();
        resolve({ ok: false, message: `${error.code ?? error.message} ${address}`, output: '' });
      });
    });
}

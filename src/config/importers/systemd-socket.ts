import { getValue, getValues, type Unit } from './systemd-unit.js';
import type { TendYamlSocket } from './types.js';

// A .socket unit as the held sockets (`sockets:`) of the service it activates: each ListenStream=
// with the unit's FileDescriptorName=, Backlog= and SocketMode=. tend holds listening stream sockets
// and never accepts, so Accept=yes and the other Listen*= kinds are noted instead.

const HANDLED = new Set([
  'ListenStream',
  'FileDescriptorName',
  'Backlog',
  'SocketMode',
  'Service',
  'ReusePort',
]);
const V4 = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;
const V6 = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/;

export interface ImportedSocket {
  /** The service unit it activates: `Service=`, or the unit of the same name. */
  service: string;
  sockets: TendYamlSocket[];
}

/** `3000` → `tcp://[::]:3000` (systemd listens on every address), `/run/a.sock` → `unix:/run/a.sock`. */
function getAddress(value: string): string | undefined {
  if (value.startsWith('/')) return `unix:${value}`;
  if (/^\d{1,5}$/.test(value)) return `tcp://[::]:${value}`;
  if (V4.test(value) || V6.test(value)) return `tcp://${value}`;
  return undefined;
}

export function importSocketUnit(unit: Unit, note: (option: string, reason: string) => void): ImportedSocket {
  const service = getValue(unit, 'Socket', 'Service') ?? unit.name.replace(/\.socket$/, '.service');
  if (getValue(unit, 'Socket', 'Accept') === 'yes') {
    note(
      'Accept',
      `${unit.name}: one service per connection has no tend equivalent (tend holds the socket and never accepts); left out`,
    );
    return { service, sockets: [] };
  }
  const name = getValue(unit, 'Socket', 'FileDescriptorName');
  const backlog = getValue(unit, 'Socket', 'Backlog');
  const mode = getValue(unit, 'Socket', 'SocketMode');
  const sockets: TendYamlSocket[] = [];
  for (const value of getValues(unit, 'Socket', 'ListenStream')) {
    const address = getAddress(value);
    if (!address) {
      note(
        'ListenStream',
        `${unit.name}: "${value}" is not an address tend binds (numeric host:port, a port, or an absolute path); left out`,
      );
      continue;
    }
    const socket: TendYamlSocket = { address };
    if (name) socket.name = name;
    if (backlog && /^\d+$/.test(backlog)) socket.backlog = Number(backlog);
    if (mode && address.startsWith('unix:')) socket.mode = mode.padStart(4, '0');
    sockets.push(socket);
  }
  const unknown = [...new Set((unit.sections.get('Socket') ?? []).map((entry) => entry.key))].filter(
    (key) => !HANDLED.has(key),
  );
  if (unknown.length > 0)
    note(unknown.join(', '), `${unit.name}: no tend equivalent for a held socket; left out`);
  return { service, sockets };
}

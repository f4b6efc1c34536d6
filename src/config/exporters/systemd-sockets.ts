import type { ExportProgram } from './programs.js';
import { getSockets } from './sockets.js';
import type { SystemdOut } from './systemd-keys.js';
import { escapeSpecifiers } from './systemd-text.js';

// Held sockets as .socket units: one per socket, so each keeps its FileDescriptorName= (systemd names
// every fd of a unit alike). With instances each gets its own socket on the same address with
// ReusePort=yes; a unix path cannot be bound twice, so a template's unix socket is noted instead.

export function mapSockets(program: ExportProgram, out: SystemdOut): void {
  const sockets = getSockets(program);
  const units: string[] = [];
  for (const socket of sockets) {
    const suffix = socket.name === program.name ? '' : `-${socket.name}`;
    if (out.template && socket.address.kind === 'unix') {
      out.note(
        'sockets',
        `${socket.address.canonical}: every instance would bind the same path; give each instance its own or run one instance`,
      );
      continue;
    }
    const name = out.template ? `${program.name}${suffix}@.socket` : `${program.name}${suffix}.socket`;
    const listen =
      socket.address.kind === 'unix'
        ? socket.address.path
        : socket.address.canonical.replace(/^tcp:\/\//, '');
    const lines: SystemdOut['socketUnits'][number]['socket'] = [
      ['ListenStream', escapeSpecifiers(listen)],
      ['FileDescriptorName', socket.name],
      ['Backlog', String(socket.backlog)],
    ];
    if (socket.address.kind === 'unix') lines.push(['SocketMode', socket.mode ?? '0660']);
    if (out.template) lines.push(['ReusePort', 'yes']);
    lines.push(['Service', out.template ? `${program.name}@%i.service` : `${program.name}.service`]);
    out.socketUnits.push({ name, socket: lines });
    units.push(out.template ? name.replace('@.socket', '@%i.socket') : name);
  }
  if (units.length === 0) return;
  out.unit.push(['Requires', units.join(' ')], ['After', units.join(' ')]);
  out.service.push(['Sockets', units.join(' ')]);
  if (units.length > 1)
    out.note(
      'sockets',
      'systemd passes the fds in its own order: find each by name in LISTEN_FDNAMES, as tend names them',
    );
  if (out.template)
    out.note(
      'sockets',
      "each instance listens on its own socket (ReusePort=yes): a connection queued at an instance that stops can be refused, while tend's instances share one socket",
    );
}

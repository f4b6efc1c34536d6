import { getSocketName } from '../../sockets/held-sockets.js';
import { parseSocketAddress, type SocketAddress } from '../../sockets/socket-address.js';
import { DEFAULT_SOCKET_BACKLOG } from '../socket-schema.js';
import type { ExportProgram } from './programs.js';

// A program's held sockets (`sockets:`) as the exporters need them: name (LISTEN_FDNAMES), parsed
// address, backlog and mode, in tend's order.

export interface ExportSocket {
  name: string;
  address: SocketAddress;
  backlog: number;
  mode: string | undefined;
}

export function getSockets(program: ExportProgram): ExportSocket[] {
  return program.spec.sockets.map((socket, index) => ({
    name: getSocketName(program.name, socket, index),
    address: parseSocketAddress(socket.address) as SocketAddress,
    backlog: socket.backlog ?? DEFAULT_SOCKET_BACKLOG,
    mode: socket.mode,
  }));
}

/** Outside tend nothing passes LISTEN_FDS: the program binds the port itself. */
export const SELF_BIND =
  'nothing passes LISTEN_FDS here: the program must bind its address itself when LISTEN_FDS is unset';

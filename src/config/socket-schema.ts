import * as z from 'zod';
import { parseSocketAddress } from '../sockets/socket-address.js';

// The `sockets:` of a program (docs/reload.md): listening sockets the daemon binds and holds, passed
// to the program as LISTEN_FDS from fd 3. A string is the address; a map names the socket
// (LISTEN_FDNAMES) and sets its backlog, and for a unix socket its file mode.

export const DEFAULT_SOCKET_BACKLOG = 511;
export const DEFAULT_UNIX_SOCKET_MODE = '0660';
export const MAX_SOCKETS = 16;

const address = z.string().refine((value) => parseSocketAddress(value) !== undefined, {
  message: 'expected tcp://HOST:PORT (HOST a numeric address, [::] or localhost) or unix:/absolute/path',
});

const socketName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,255}$/, 'expected a name of letters, digits, ".", "_" or "-" (no ":")');

export interface SocketInput {
  readonly address: string;
  readonly name?: string;
  readonly backlog?: number;
  readonly mode?: string;
}

export const socketSchema = z.union(
  [
    address.transform((value): SocketInput => ({ address: value })),
    z.strictObject({
      address,
      name: socketName.optional(),
      backlog: z.number().int().min(1).max(65_535).optional(),
      mode: z
        .string({ error: 'expected an octal mode in quotes, like "0660"' })
        .regex(/^0?[0-7]{3}$/, 'expected an octal mode in quotes, like "0660"')
        .optional(),
    }),
  ],
  { error: 'expected an address (tcp://127.0.0.1:3000, unix:/run/app.sock) or a map with address' },
);

/** The sockets of a program with their defaults; names default to the program's key (then key-2…). */
export const socketsSchema = z
  .array(socketSchema)
  .max(MAX_SOCKETS, `expected at most ${MAX_SOCKETS} sockets`)
  .superRefine((sockets, ctx) => {
    const seen = new Map<string, number>();
    sockets.forEach((socket, index) => {
      const canonical = parseSocketAddress(socket.address)?.canonical ?? socket.address;
      if (seen.has(canonical))
        ctx.addIssue({
          code: 'custom',
          path: [index, 'address'],
          message: `expected each address once, ${canonical} is also socket ${seen.get(canonical)}`,
        });
      seen.set(canonical, index);
      if (socket.mode !== undefined && !socket.address.startsWith('unix:'))
        ctx.addIssue({
          code: 'custom',
          path: [index, 'mode'],
          message: 'expected mode only on a unix socket',
        });
    });
  });

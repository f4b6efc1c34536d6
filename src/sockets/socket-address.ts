import { isIP } from 'node:net';

// Addresses of held sockets: `tcp://127.0.0.1:3000`, `tcp://[::]:8080`, `tcp://localhost:3000`,
// `unix:/run/app.sock`. Hosts are numeric (localhost means 127.0.0.1): the daemon binds without a
// resolver. The canonical form is what the kernel reports back for the bound socket.

export type SocketAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly canonical: string }
  | { readonly kind: 'unix'; readonly path: string; readonly canonical: string };

const UNIX_PATH_MAX_BYTES = 107;

export function parseSocketAddress(text: string): SocketAddress | undefined {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (!path.startsWith('/') || path.includes('\0') || Buffer.byteLength(path) > UNIX_PATH_MAX_BYTES)
      return undefined;
    return { kind: 'unix', path, canonical: `unix:${path}` };
  }
  const match = /^tcp:\/\/(?:\[([0-9A-Fa-f:.]+)\]|([^:/[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  const v6 = match[1];
  if (v6 !== undefined) {
    if (isIP(v6) !== 6) return undefined;
    // The kernel's form (inet_ntop): compressed and lower case.
    const host = new URL(`http://[${v6}]/`).hostname.slice(1, -1);
    return { kind: 'tcp', host, port, canonical: `tcp://[${host}]:${port}` };
  }
  const name = match[2] as string;
  const host = name === 'localhost' ? '127.0.0.1' : name;
  if (isIP(host) !== 4) return undefined;
  return { kind: 'tcp', host, port, canonical: `tcp://${host}:${port}` };
}

// Bundles the CLI and the daemon with esbuild. The CLI bundle stays free of zod and SQLite so
// `tend ls` starts fast; the daemon bundle keeps better-sqlite3 external (a native addon).
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  define: { TEND_VERSION: JSON.stringify(version) },
  external: ['better-sqlite3'],
  logLevel: 'warning',
};

await build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', metafile: false });
await build({ ...common, entryPoints: { daemon: 'src/daemon/entry.ts' }, outdir: 'dist' });

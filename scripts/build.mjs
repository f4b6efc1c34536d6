// Bundles the CLI and the daemon with esbuild. The CLI bundle stays free of zod, YAML and SQLite so
// `tend ls` starts fast: commands that need more (tend up, tend import) load it as a separate chunk
// on demand. The daemon bundle keeps better-sqlite3 external (a native addon).
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

await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
await build({ ...common, entryPoints: { daemon: 'src/daemon/entry.ts' }, outdir: 'dist' });

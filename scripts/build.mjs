// Bundles the CLI and the daemon with esbuild. The CLI bundle stays free of zod, YAML and SQLite so
// `tend ls` starts fast: commands that need more (tend up, tend import) load it as a separate chunk
// on demand. The daemon bundle keeps better-sqlite3 external (a native addon).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  define: { TEND_VERSION: JSON.stringify(version) },
  // Native or binary packages stay in node_modules; everything else is bundled.
  external: ['better-sqlite3', 'esbuild'],
  // Bundled CommonJS packages (dotenv) call require(); give ESM output a real one.
  banner: {
    js: "import { createRequire as __tendCreateRequire } from 'node:module'; const require = __tendCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

const cli = await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
const rest = await build({
  ...common,
  entryPoints: { daemon: 'src/daemon/entry.ts', index: 'src/index.ts', 'daemon-toolkit': 'src/sdk/index.ts' },
  outdir: 'dist',
  // The daemon loads the config loader (YAML) only for `daemon run -f`: a chunk of its own.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});

// Remove what earlier builds left (old chunks) without ever emptying dist/, so a build never
// breaks a tend that is running from this checkout.
const written = new Set([...Object.keys(cli.metafile.outputs), ...Object.keys(rest.metafile.outputs)]);
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
for (const file of walk('dist')) if (!written.has(relative('.', file))) rmSync(file);

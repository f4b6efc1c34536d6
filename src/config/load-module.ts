import { rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Message, Plugin } from 'esbuild';
import type { Problem } from './problems.js';

// Loads tend.config.ts / .js: esbuild bundles the file and its relative imports, `import 'tend'`
// becomes the identity defineConfig (so the config works wherever tend is installed), and other
// packages stay external, resolved from the config's directory.

const TEND_SHIM = 'export function defineConfig(config) { return config; }\n';
let loads = 0;

function createTendPlugin(externals: Set<string>): Plugin {
  return {
    name: 'tend-config',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path === 'tend') return { path: 'tend', namespace: 'tend-shim' };
        if (!isBuiltin(args.path)) externals.add(args.path);
        return { external: true };
      });
      builder.onLoad({ filter: /.*/, namespace: 'tend-shim' }, () => ({ contents: TEND_SHIM, loader: 'js' }));
    },
  };
}

function toProblem(file: string, message: Message): Problem {
  const location = message.location;
  if (!location) return { path: [], message: message.text };
  const position = { line: location.line, col: location.column + 1 };
  if (resolve(dirname(file), location.file) === file) return { path: [], position, message: message.text };
  return { path: [], message: `${location.file}:${position.line}:${position.col}: ${message.text}` };
}

async function importCode(code: string, dir: string, needsFile: boolean): Promise<Record<string, unknown>> {
  loads += 1;
  if (!needsFile) {
    const source = `${code}\n// load ${process.pid}.${loads}\n`;
    return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
  }
  // Bare imports resolve from the file's location: write the bundle beside the config for a moment.
  const temporary = join(dir, `.tend.config.${process.pid}.${Date.now()}.${loads}.mjs`);
  await writeFile(temporary, code);
  try {
    return await import(pathToFileURL(temporary).href);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The default export of a .ts/.js config file, or the problems that kept it from loading. */
export async function loadModuleConfig(file: string): Promise<{ data: unknown } | { problems: Problem[] }> {
  const externals = new Set<string>();
  let code: string;
  try {
    // esbuild is loaded here only: a tend.yaml never pays for it (tend up starts faster).
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [file],
      absWorkingDir: dirname(file),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      plugins: [createTendPlugin(externals)],
    });
    code = result.outputFiles[0]?.text ?? '';
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!errors?.length) throw error;
    return { problems: errors.map((message) => toProblem(file, message)) };
  }
  let module: Record<string, unknown>;
  try {
    module = await importCode(code, dirname(file), externals.size > 0);
  } catch (error) {
    return {
      problems: [
        { path: [], message: `could not run: ${error instanceof Error ? error.message : String(error)}` },
      ],
    };
  }
  if (module.default === undefined) {
    return {
      problems: [
        {
          path: [],
          message: 'expected a default export (export default defineConfig({ … })), found nothing',
        },
      ],
    };
  }
  return { data: module.default };
}

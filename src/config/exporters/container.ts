import { isAbsolute, join, relative } from 'node:path';
import { getShellScript } from '../shell-command.js';
import type { ExportConfig, ExportProgram } from './programs.js';
import type { ExportOptions, NoteSink } from './types.js';

// What the container targets (Kubernetes, compose) share: the image, the argv, and where this
// machine's paths are inside the image (the config's directory is `--workdir`, /app by default).

export interface ContainerOut extends NoteSink {
  image: string;
  /** An absolute path of this machine as the container sees it. */
  getContainerPath(path: string): string;
}

/** Until `--image` names one, each program gets a placeholder the engine cannot pull by accident. */
export const IMAGE_PLACEHOLDER = 'replace-me.invalid/';

export function getImage(program: ExportProgram, options: ExportOptions): string {
  return (
    options.images.get(program.name) ??
    options.images.get(null) ??
    `${IMAGE_PLACEHOLDER}${program.name.toLowerCase()}:latest`
  );
}

export function createPathMapper(config: ExportConfig, options: ExportOptions): (path: string) => string {
  return (path) => {
    const inside = relative(config.dir, path);
    return inside.startsWith('..') || isAbsolute(inside) ? path : join(options.workdir, inside);
  };
}

/** A command string runs under /bin/sh -c, as tend runs it (a simple command exec'd by the shell). */
export function getContainerArgv(program: ExportProgram): string[] {
  const { command } = program.spec;
  return typeof command === 'string' ? ['/bin/sh', '-c', getShellScript(command)] : [...command];
}

export function noteImages(
  programs: ExportProgram[],
  options: ExportOptions,
  note: (reason: string) => void,
): void {
  const missing = programs.filter(
    (program) => !options.images.has(program.name) && !options.images.has(null),
  );
  if (missing.length > 0)
    note(
      `${missing.map((p) => p.name).join(', ')}: no --image given; each uses ${IMAGE_PLACEHOLDER}NAME:latest, an image holding the program and its files at --workdir (${options.workdir})`,
    );
}

import type { ImportNote } from '../importers/types.js';
import type { ExportConfig, ExportProgram } from './programs.js';

// What an exporter produces: files to write, and every option it could not carry over, with why.

export type ExportNote = ImportNote;

export interface ExportedFile {
  /** A file name, written into the output directory. */
  name: string;
  text: string;
}

export interface ExportResult {
  files: ExportedFile[];
  notes: ExportNote[];
}

export interface ExportOptions {
  /** The config file as the user named it, for headers. */
  source: string;
  /** Only these programs (keys of `programs`); all when empty. */
  only: readonly string[];
  /** systemd: user units (`systemctl --user`) instead of system units. */
  user: boolean;
  /** kubernetes, compose: the image for every program, or per program (`NAME=IMAGE`). */
  images: ReadonlyMap<string | null, string>;
  /** Where the files will be written (compose's env_file paths are relative to it). */
  outDir: string;
  /** kubernetes, compose: where the config file's directory is inside the image. */
  workdir: string;
}

/** Called with each program and the target's output for it; adds notes through `out.note`. */
export type KeyMapper<T> = (program: ExportProgram, out: T, config: ExportConfig) => void;

export interface NoteSink {
  note(option: string, reason: string): void;
}

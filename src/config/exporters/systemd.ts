import { formatNote } from '../importers/render.js';
import { applyKeyMappings } from './keys.js';
import type { ExportConfig, ExportProgram } from './programs.js';
import { getSelected } from './shared.js';
import { SYSTEMD_KEYS, type SystemdOut } from './systemd-keys.js';
import { renderUnit, type UnitLine } from './systemd-text.js';
import type { ExportedFile, ExportNote, ExportOptions, ExportResult } from './types.js';

// `tend export systemd`: one NAME.service per program; a program with instances becomes a template
// NAME@.service (instance %i is tend's instance number) and a NAME.target that wants each instance.

const FIRST_SERVICE_KEYS = new Set(['Type', 'NotifyAccess']);

function getHeader(program: ExportProgram, options: ExportOptions, notes: ExportNote[]): string[] {
  const header = [`${program.name}: exported by \`tend export systemd\` from ${options.source}.`];
  if (notes.length > 0)
    header.push('Not carried over, or only approximately:', ...notes.map((n) => `  ${formatNote(n)}`));
  return header;
}

function orderService(lines: UnitLine[]): UnitLine[] {
  const first = lines.filter((line) => typeof line !== 'string' && FIRST_SERVICE_KEYS.has(line[0]));
  return [...first, ...lines.filter((line) => !first.includes(line))];
}

function exportProgram(
  program: ExportProgram,
  config: ExportConfig,
  options: ExportOptions,
  notes: ExportNote[],
): ExportedFile[] {
  const byName = new Map(config.programs.map((p) => [p.name, p]));
  const own: ExportNote[] = [];
  const template = program.instances > 1;
  const out: SystemdOut = {
    unit: [['Description', template ? `${program.name} %i` : program.name]],
    service: [],
    install: [],
    template,
    userUnits: options.user,
    getUnitName: (name) => `${name}.${(byName.get(name)?.instances ?? 1) > 1 ? 'target' : 'service'}`,
    isStartSecsReady: (name) => byName.get(name)?.spec.ready === 'startSecs',
    note: (option, reason) => own.push({ program: program.name, option, reason }),
    socketUnits: [],
  };
  applyKeyMappings(SYSTEMD_KEYS, program, out, config);
  notes.push(...own);
  const comments = getHeader(program, options, own);
  const install: UnitLine[] = [['WantedBy', 'sockets.target']];
  const sockets = out.socketUnits.map((unit) => ({
    name: unit.name,
    text: renderUnit({
      comments: comments.slice(0, 1),
      sections: [
        ['Unit', [['Description', `${program.name} socket`]]],
        ['Socket', unit.socket],
        ['Install', program.spec.autostart && !template ? install : []],
      ],
    }),
  }));
  const service = orderService(out.service);
  if (!template) {
    const sections: [string, UnitLine[]][] = [
      ['Unit', out.unit],
      ['Service', service],
      ['Install', out.install],
    ];
    return [{ name: `${program.name}.service`, text: renderUnit({ comments, sections }) }, ...sockets];
  }
  const instances = Array.from({ length: program.instances }, (_, i) => `${program.name}@${i}.service`);
  const unit: UnitLine[] = [...out.unit, ['PartOf', `${program.name}.target`]];
  const target: UnitLine[] = [
    ['Description', `${program.name} (${program.instances} instances)`],
    ['Wants', instances.join(' ')],
  ];
  return [
    {
      name: `${program.name}@.service`,
      text: renderUnit({
        comments,
        sections: [
          ['Unit', unit],
          ['Service', service],
        ],
      }),
    },
    {
      name: `${program.name}.target`,
      text: renderUnit({
        comments: comments.slice(0, 1),
        sections: [
          ['Unit', target],
          ['Install', out.install],
        ],
      }),
    },
    ...sockets,
  ];
}

export function exportSystemd(config: ExportConfig, options: ExportOptions): ExportResult {
  const notes: ExportNote[] = [];
  const files = getSelected(config, options).flatMap((program) =>
    exportProgram(program, config, options, notes),
  );
  return { files, notes };
}

import { ConfigError } from '../../errors.js';
import { formatMs } from './format.js';
import { createProgramName } from './names.js';
import { sortNotes } from './notes.js';
import { createConfig } from './shape.js';
import { importService } from './systemd-service.js';
import { importSocketUnit } from './systemd-socket.js';
import { getValue, getWords, parseUnit, type Unit } from './systemd-unit.js';
import { parseTimeSpan } from './systemd-values.js';
import type { ImportNote, ImportResult, TendYamlProgram } from './types.js';

// `tend import systemd UNIT.service...`: each service becomes a program; a template `web@.service`
// becomes one program with instances (counted from the instances other imported units name, such
// as the target `tend export` writes); After=/Wants=/Requires= between imported units → dependsOn.

export interface UnitFile {
  text: string;
  path: string;
}

const DEPENDENCY_KEYS = ['After', 'Wants', 'Requires', 'BindsTo', 'Requisite'];
const EXIT_ACTIONS = new Set(['exit', 'exit-force']);
const SILENT_UNIT_KEYS = new Set([
  'SuccessAction',
  'FailureAction',
  'Description',
  'Documentation',
  'PartOf',
  'StartLimitIntervalSec',
  'StartLimitBurst',
  ...DEPENDENCY_KEYS,
]);
const INSTALL_KEYS = new Set(['WantedBy', 'RequiredBy']);
const SILENT_INSTALL_KEYS = new Set([...INSTALL_KEYS, 'DefaultInstance']);
const SYSTEMD_START_LIMIT = { intervalMs: 10_000, burst: 5 };
const UNIT_NAME = /^([^@]+?)(?:@([^.]*))?\.(service|target)$/;

interface Service {
  unit: Unit;
  /** The unit's name without suffix and instance, and the program's name made from it. */
  base: string;
  key: string;
  template: boolean;
}

/** `web@.service`, `web@2.service`, `web.target` → `web`; undefined for other kinds of unit. */
function getBase(name: string): string | undefined {
  return UNIT_NAME.exec(name)?.[1];
}

function getReferences(units: Unit[]): string[] {
  return units.flatMap((unit) => [
    ...['Unit', 'Install'].flatMap((section) =>
      [...DEPENDENCY_KEYS, 'WantedBy'].flatMap((key) => getWords(unit, section, key)),
    ),
    unit.name,
  ]);
}

function getInstanceNames(base: string, units: Unit[]): string[] {
  const names = new Set<string>();
  for (const name of getReferences(units)) {
    const match = UNIT_NAME.exec(name);
    if (match?.[1] === base && match[2]) names.add(match[2]);
  }
  for (const unit of units) {
    const fallback = getBase(unit.name) === base ? getValue(unit, 'Install', 'DefaultInstance') : undefined;
    if (fallback) names.add(fallback);
  }
  return [...names];
}

function importGiveUp(
  unit: Unit,
  program: TendYamlProgram,
  note: (option: string, reason: string) => void,
): void {
  if (program.restart === 'never') return;
  const interval =
    getValue(unit, 'Unit', 'StartLimitIntervalSec') ??
    getValue(unit, 'Service', 'StartLimitIntervalSec') ??
    getValue(unit, 'Service', 'StartLimitInterval');
  const burst = getValue(unit, 'Unit', 'StartLimitBurst') ?? getValue(unit, 'Service', 'StartLimitBurst');
  if (getValue(unit, 'Service', 'StartLimitIntervalSec') !== undefined)
    note(
      'StartLimitIntervalSec',
      'systemd ignores it in [Service] (it belongs in [Unit]) and used 10s; tend.yaml keeps the value written',
    );
  const intervalMs = interval === undefined ? SYSTEMD_START_LIMIT.intervalMs : parseTimeSpan(interval);
  const failures = burst === undefined ? SYSTEMD_START_LIMIT.burst : Number(burst);
  if (intervalMs === undefined || !Number.isInteger(failures)) {
    note('StartLimitIntervalSec', 'unreadable start limit; left out');
    return;
  }
  if (intervalMs === 0 || !Number.isFinite(intervalMs) || failures < 1) return;
  program.giveUp = { failures, within: formatMs(intervalMs) };
  const which = interval === undefined && burst === undefined ? "systemd's default start limit, " : '';
  note(
    'StartLimitBurst',
    `${which}${failures} starts within ${formatMs(intervalMs)}: systemd counted every start, tend counts failed starts (quick exits)`,
  );
}

// SuccessAction=/FailureAction=exit end the manager with the unit's status: tend's onExit: shutdown.
function importExitActions(
  unit: Unit,
  program: TendYamlProgram,
  note: (option: string, reason: string) => void,
): void {
  const actions = ['SuccessAction', 'FailureAction'].map((key) => getValue(unit, 'Unit', key) ?? 'none');
  if (actions.every((action) => EXIT_ACTIONS.has(action))) program.onExit = 'shutdown';
  else if (actions.some((action) => action !== 'none'))
    note(
      'SuccessAction',
      `${actions.join(', ')}: tend's onExit: shutdown ends the daemon when the program ends for good, whatever its status; left out`,
    );
}

function importUnit(
  service: Service,
  units: Unit[],
  programs: Map<string, string>,
  notes: ImportNote[],
): TendYamlProgram {
  const { unit, key } = service;
  const note = (option: string, reason: string) => notes.push({ program: key, option, reason });
  const program: TendYamlProgram = {};
  const unknown = importService({ unit, program, note });
  if (program.command === undefined) throw new ConfigError(`${unit.path}: [Service] has no ExecStart=`);
  importGiveUp(unit, program, note);
  importExitActions(unit, program, note);

  const dependsOn = new Set<string>();
  for (const option of DEPENDENCY_KEYS) {
    const missing: string[] = [];
    for (const name of getWords(unit, 'Unit', option)) {
      // Its own held sockets (imported as `sockets:`) are no dependency.
      if (
        units.some(
          (u) => u.name.endsWith('.socket') && u.name === name.replace(/@[^.]*\.socket$/, '@.socket'),
        )
      )
        continue;
      const dependency = programs.get(getBase(name) ?? name);
      if (dependency !== undefined && dependency !== key) dependsOn.add(dependency);
      else if (dependency === undefined) missing.push(name);
    }
    if (missing.length > 0) note(option, `${missing.join(' ')}: not among the imported units; left out`);
  }
  if (dependsOn.size > 0) program.dependsOn = [...dependsOn];
  for (const entry of unit.sections.get('Unit') ?? [])
    if (!SILENT_UNIT_KEYS.has(entry.key)) unknown.push(entry.key);

  if (service.template) {
    const instances = getInstanceNames(key, units);
    if (instances.length > 1) program.instances = instances.length;
    if (instances.length === 0) note('instances', 'a template: set instances to how many ran');
    else if (instances.some((name, index) => name !== String(index)))
      note(
        'instances',
        `instances ${instances.join(', ')} become ${key}-0…${instances.length - 1} (TEND_INSTANCE, %i)`,
      );
  }
  const installed = units.some(
    (u) =>
      getBase(u.name) === service.base && [...INSTALL_KEYS].some((k) => getWords(u, 'Install', k).length > 0),
  );
  const pulledIn = units.some(
    (u) =>
      getBase(u.name) !== service.base &&
      ['Wants', 'Requires', 'BindsTo'].some((k) =>
        getWords(u, 'Unit', k).some((name) => getBase(name) === service.base),
      ),
  );
  if (!installed && !pulledIn) {
    program.autostart = false;
    note('[Install]', 'no WantedBy=: not enabled at boot, so autostart: false');
  }
  for (const entry of unit.sections.get('Install') ?? [])
    if (!SILENT_INSTALL_KEYS.has(entry.key)) unknown.push(entry.key);
  if (unknown.length > 0) note([...new Set(unknown)].join(', '), 'no tend equivalent; left out');
  return program;
}

export function importSystemd(files: UnitFile[]): ImportResult {
  const units = files.map((file) => parseUnit(file.text, file.path));
  const notes: ImportNote[] = [];
  const services: Service[] = [];
  const programs = new Map<string, string>();
  const taken = new Set<string>();
  for (const unit of units) {
    const match = UNIT_NAME.exec(unit.name);
    if (match?.[3] !== 'service') {
      if (match?.[3] !== 'target' && !unit.name.endsWith('.socket'))
        notes.push({
          program: null,
          option: unit.name,
          reason: 'only .service units become programs (and .socket units their sockets); left out',
        });
      continue;
    }
    const base = match[1] as string;
    if (programs.has(base)) continue;
    const key = createProgramName(base, taken);
    taken.add(key);
    programs.set(base, key);
    if (key !== base)
      notes.push({ program: key, option: 'name', reason: `"${base}" is not a valid tend name; renamed` });
    services.push({ unit, base, key, template: match[2] !== undefined });
  }
  if (services.length === 0)
    throw new ConfigError(`${files[0]?.path ?? 'systemd'}: no .service unit to import`);
  const imported = Object.fromEntries(
    services.map((service) => [service.key, importUnit(service, units, programs, notes)]),
  );
  // In the order of the services' Sockets= (tend passes LISTEN_FDS in its list's order), then by name.
  const order = units.flatMap((u) =>
    getWords(u, 'Service', 'Sockets').map((name) => name.replace(/@[^.]*\.socket$/, '@.socket')),
  );
  const rank = (unit: Unit) => (order.includes(unit.name) ? order.indexOf(unit.name) : order.length);
  const socketUnits = units.filter((u) => u.name.endsWith('.socket')).sort((a, b) => rank(a) - rank(b));
  for (const unit of socketUnits) {
    const fileNote = (option: string, reason: string) => notes.push({ program: null, option, reason });
    const { service, sockets } = importSocketUnit(unit, fileNote);
    if (sockets.length === 0) continue;
    const key = programs.get(getBase(service) ?? service);
    const program = key === undefined ? undefined : imported[key];
    if (!program)
      fileNote(unit.name, `it activates ${service}, which is not among the imported units; left out`);
    else
      program.sockets = [
        ...(program.sockets ?? []),
        ...sockets.map((socket) => (Object.keys(socket).length === 1 ? socket.address : socket)),
      ];
  }
  return { config: createConfig(imported), notes: sortNotes(notes, Object.keys(imported)) };
}

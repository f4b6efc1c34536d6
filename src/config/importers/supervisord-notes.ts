import { usesFormatName } from './python-format.js';
import type { SupervisordSource } from './supervisord-reader.js';
import { splitSectionName } from './supervisord-sources.js';
import type { ImportNote, TendYamlProgram } from './types.js';

// Notes about the file as a whole: sections tend has no use for, expansions made at import time,
// and supervisord behaviours that change for several programs at once.

const CONTROL_SECTIONS = /^(unix_http_server|inet_http_server|supervisorctl|rpcinterface:.*)$/;
const PROGRAM_SECTIONS = new Set(['program', 'supervisord', 'include', 'group']);

export function noteSections(sources: SupervisordSource[], notes: ImportNote[]): void {
  const note = (option: string, reason: string) => notes.push({ program: null, option, reason });
  const control: string[] = [];
  for (const { section } of sources) {
    const [kind] = splitSectionName(section.name);
    if (CONTROL_SECTIONS.test(section.name)) control.push(`[${section.name}]`);
    else if (kind === 'eventlistener') note(`[${section.name}]`, 'tend has no event listeners; not imported');
    else if (kind === 'fcgi-program') note(`[${section.name}]`, 'tend has no FastCGI sockets; not imported');
    else if (!PROGRAM_SECTIONS.has(kind)) note(`[${section.name}]`, 'unknown section; ignored');
  }
  if (control.length > 0) {
    note(
      control.join(' '),
      'supervisorctl’s control server; tend’s CLI reaches its daemon over a socket in TEND_HOME',
    );
  }
}

/** `names`: supervisord program name → the tend programs made from it. */
export function noteGroups(
  groups: Map<string, string[]>,
  names: Map<string, string[]>,
  notes: ImportNote[],
): void {
  for (const [group, members] of groups) {
    const programs = members.flatMap((member) => names.get(member) ?? []);
    notes.push({
      program: null,
      option: `[group:${group}]`,
      reason: `tend has no groups; ${programs.join(', ')} are separate programs (\`tend up ${programs.join(' ')}\` starts them together)`,
    });
  }
}

export function noteExpansions(sources: SupervisordSource[], hostname: string, notes: ImportNote[]): void {
  const values = sources.flatMap(({ section }) => [...section.entries.values()].map((entry) => entry.value));
  const envNames = new Set(
    values.flatMap((value) => [...value.matchAll(/%\(ENV_(\w+)\)/g)].map((match) => match[1])),
  );
  for (const name of envNames) {
    notes.push({
      program: null,
      option: `%(ENV_${name})s`,
      reason: `written as \${${name}}, which tend reads from the environment of \`tend up\` (supervisord read its own when it started)`,
    });
  }
  if (values.some((value) => usesFormatName(value, 'host_node_name'))) {
    notes.push({
      program: null,
      option: '%(host_node_name)s',
      reason: `written as this machine's name, ${hostname}`,
    });
  }
}

export interface ProgramFacts {
  name: string;
  program: TendYamlProgram;
  signalsMainOnly: boolean;
}

export function noteProgramDefaults(programs: ProgramFacts[], notes: ImportNote[]): void {
  const list = (pick: (facts: ProgramFacts) => boolean) =>
    programs
      .filter(pick)
      .map((facts) => facts.name)
      .join(', ');
  const note = (option: string, names: string, reason: string) => {
    if (names !== '') notes.push({ program: null, option, reason: `${names}: ${reason}` });
  };
  note(
    'stopasgroup',
    list((facts) => facts.signalsMainOnly),
    'supervisord signalled only the main process (stopasgroup and killasgroup default to false); tend signals the whole process group',
  );
  note(
    'directory',
    list((facts) => facts.program.cwd === undefined),
    'without a directory supervisord used its own working directory; tend uses the tend.yaml’s',
  );
  note(
    'user',
    list((facts) => facts.program.user !== undefined),
    'tend also sets HOME, USER and LOGNAME to the user’s; supervisord kept its own',
  );
}

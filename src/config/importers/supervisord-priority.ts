import type { ImportNote, TendYamlProgram } from './types.js';

// supervisord starts lower `priority` values first but does not wait for them; tend has no
// priorities, only `dependsOn`, which waits until a dependency is running. Each priority level
// depends on the level before it: the same order, a little stricter.

export interface PrioritizedProgram {
  name: string;
  program: TendYamlProgram;
  priority: number;
}

export function orderByPriority(programs: PrioritizedProgram[], notes: ImportNote[]): void {
  // Programs that are not started automatically are not ordered, and a one-shot never stays running.
  const started = programs.filter((entry) => entry.program.autostart !== false);
  const levels = [...new Set(started.map((entry) => entry.priority))].sort((a, b) => a - b);
  if (levels.length < 2) return;
  let previous: string[] = [];
  for (const level of levels) {
    const members = started.filter((entry) => entry.priority === level);
    if (previous.length > 0) {
      for (const member of members) {
        member.program.dependsOn = [...previous];
        notes.push({
          program: member.name,
          option: 'priority',
          reason: `priority ${level} became dependsOn [${previous.join(', ')}]: supervisord only started lower priorities first, tend waits until they are running`,
        });
      }
    }
    const targets = members.filter((entry) => entry.program.restart !== 'never').map((entry) => entry.name);
    if (targets.length > 0) previous = targets;
  }
}

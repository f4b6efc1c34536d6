// Mutation testing as a habit (npm run mutate): break one line of the product at a time, run the
// tests that guard it, and report every mutation that no test noticed. Two kinds of mutation:
// - generated: simple operator swaps over the pure, critical modules listed in mutate-targets.mjs
//   (=== ↔ !==, < ↔ <=, && ↔ ||, true ↔ false, Math.min ↔ Math.max, a dropped `!`, a dropped call,
//   and per target: one literal swapped for another of its group, an effect left out of a list);
// - curated: behavioural mutations of the daemon (find/replace in one file) checked by e2e tests.
// A line can opt out of generated mutations with a trailing `// mutation: equivalent (why)`.
//
//   npm run mutate                       every target and every curated mutation
//   npm run mutate -- transitions        only targets/curated names containing "transitions"
//   npm run mutate -- --curated          only the curated (behavioural, e2e) mutations
//   npm run mutate -- --list             print the mutations without running anything
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURATED, TARGETS } from './mutate-targets.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const listOnly = args.includes('--list');
const curatedOnly = args.includes('--curated');
const filters = args.filter((arg) => !arg.startsWith('--'));
const matches = (name) => filters.length === 0 || filters.some((filter) => name.includes(filter));

const OPERATORS = [
  [/ === /g, ' !== '],
  [/ !== /g, ' === '],
  [/ < /g, ' <= '],
  [/ <= /g, ' < '],
  [/ > /g, ' >= '],
  [/ >= /g, ' > '],
  [/ && /g, ' || '],
  [/ \|\| /g, ' && '],
  [/ \+ /g, ' - '],
  [/ - /g, ' + '],
  [/ \* /g, ' / '],
  [/\btrue\b/g, 'false'],
  [/\bfalse\b/g, 'true'],
  [/Math\.max\(/g, 'Math.min('],
  [/Math\.min\(/g, 'Math.max('],
  [/(?<=[(\s])!(?=[\w#.(])/g, ''],
];
const SKIPPED_LINE = /^\s*(\/\/|\*|\/\*|import |export type |type |interface |readonly )/;
const EQUIVALENT = /\/\/ mutation: equivalent/;
// A call on a line of its own, e.g. `this.#cancelTimers();` or `kept.push(ctx.now);`
const CALL_STATEMENT = /^(\s*)((?:this\.)?[\w#.[\]]+\(.*\));\s*$/;

/** True when `index` in `line` falls inside a string literal or a trailing comment. */
function isInStringOrComment(line, index) {
  let quote = null;
  for (let i = 0; i < index; i += 1) {
    const char = line[i];
    if (quote) {
      if (char === '\\') i += 1;
      else if (char === quote) quote = null;
    } else if (char === "'" || char === '"' || char === '`') quote = char;
    else if (char === '/' && line[i + 1] === '/') return true;
  }
  return quote !== null;
}

function generateMutations(target) {
  const source = readFileSync(join(root, target.file), 'utf8');
  const lines = source.split('\n');
  const mutations = [];
  lines.forEach((line, lineIndex) => {
    if (SKIPPED_LINE.test(line) || EQUIVALENT.test(line)) return;
    const mutateLine = (mutated, what) => {
      const copy = [...lines];
      copy[lineIndex] = mutated;
      mutations.push({ file: target.file, line: lineIndex + 1, what, source: copy.join('\n') });
    };
    for (const [pattern, replacement] of OPERATORS) {
      for (const match of line.matchAll(pattern)) {
        if (isInStringOrComment(line, match.index)) continue;
        const mutated = line.slice(0, match.index) + replacement + line.slice(match.index + match[0].length);
        mutateLine(mutated, `${match[0].trim() || match[0]} → ${replacement.trim() || '(removed)'}`);
      }
    }
    for (const group of target.swaps ?? []) {
      // A member of a union type (`'running' | 'stopped'`) is erased at run time: not a mutation.
      for (const match of line.matchAll(new RegExp(`(?<!\\| )'(${group.join('|')})'(?! \\|)`, 'g'))) {
        const next = group[(group.indexOf(match[1]) + 1) % group.length];
        const mutated = `${line.slice(0, match.index)}'${next}'${line.slice(match.index + match[0].length)}`;
        mutateLine(mutated, `'${match[1]}' → '${next}'`);
      }
    }
    // An element of an effects list left out: `{ type: 'cancel-timers' },` or `reap,` inside [ … ].
    if (target.dropEffects) {
      for (const match of line.matchAll(/\{ type: '[\w-]+'(?:, [^{}]*)? \}(?:, |,$)?/g)) {
        const mutated = line.slice(0, match.index) + line.slice(match.index + match[0].length);
        mutateLine(mutated, `effect ${match[0].trim()} dropped`);
      }
    }
    const call = CALL_STATEMENT.exec(line);
    if (call && !/^\s*(return|throw|await|super)\b/.test(line))
      mutateLine(`${call[1]}void 0;`, 'call removed');
  });
  return mutations.map((mutation) => ({ ...mutation, name: target.file, tests: target.tests, build: false }));
}

function curatedMutations() {
  return CURATED.map((entry) => {
    const source = readFileSync(join(root, entry.file), 'utf8');
    const count = source.split(entry.find).length - 1;
    if (count !== 1) {
      throw new Error(
        `curated mutation "${entry.name}": ${entry.file} holds its text ${count} times (expected once) — update scripts/mutate-targets.mjs`,
      );
    }
    const line = source.slice(0, source.indexOf(entry.find)).split('\n').length;
    return {
      name: entry.name,
      file: entry.file,
      line,
      what: entry.name,
      source: source.replace(entry.find, entry.replace),
      tests: entry.tests,
      build: true,
    };
  });
}

function runTests(tests, build, timeoutMs) {
  if (build) {
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });
    if (built.status !== 0) return 'killed (build)';
  }
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...tests], {
    cwd: root,
    stdio: 'ignore',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    env: { ...process.env, TEND_TEST_RUN: '1' },
  });
  if (run.error?.code === 'ETIMEDOUT') return 'killed (timeout)';
  return run.status === 0 ? 'survived' : 'killed';
}

const mutations = [
  ...(curatedOnly ? [] : TARGETS.filter((target) => matches(target.file)).flatMap(generateMutations)),
  ...curatedMutations().filter((mutation) => matches(mutation.name) || matches(mutation.file)),
];
if (listOnly) {
  for (const m of mutations) console.log(`${m.file}:${m.line}  ${m.what}  [${m.tests.join(' ')}]`);
  console.log(`${mutations.length} mutations`);
  process.exit(0);
}

const originals = new Map();
const restore = () => {
  for (const [file, text] of originals) writeFileSync(join(root, file), text);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

// The mapped tests must pass on the unmutated code, or every mutant would look killed.
const groups = new Map();
for (const m of mutations) groups.set(m.tests.join(' '), m);
for (const m of groups.values()) {
  if (runTests(m.tests, m.build, 600_000) !== 'survived') {
    console.error(`mutate: the tests ${m.tests.join(' ')} fail on unmutated code; fix them first`);
    process.exit(1);
  }
}

const results = [];
const started = Date.now();
for (const [index, mutation] of mutations.entries()) {
  const path = join(root, mutation.file);
  if (!originals.has(mutation.file)) originals.set(mutation.file, readFileSync(path, 'utf8'));
  writeFileSync(path, mutation.source);
  const outcome = runTests(mutation.tests, mutation.build, mutation.build ? 300_000 : 60_000);
  writeFileSync(path, originals.get(mutation.file));
  results.push({ ...mutation, outcome });
  const mark = outcome === 'survived' ? 'SURVIVED' : outcome;
  console.log(
    `[${index + 1}/${mutations.length}] ${mutation.file}:${mutation.line} ${mutation.what}: ${mark}`,
  );
}
restore();
if (mutations.some((m) => m.build))
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });

const byName = new Map();
for (const r of results) {
  const entry = byName.get(r.name) ?? { total: 0, killed: 0 };
  entry.total += 1;
  if (r.outcome !== 'survived') entry.killed += 1;
  byName.set(r.name, entry);
}
console.log('\nmodule / mutation                                   killed / total   score');
for (const [name, { total, killed }] of byName) {
  console.log(
    `${name.padEnd(52)} ${String(killed).padStart(6)} / ${String(total).padEnd(6)} ${((100 * killed) / total).toFixed(0)} %`,
  );
}
const killed = results.filter((r) => r.outcome !== 'survived').length;
const seconds = Math.round((Date.now() - started) / 1000);
console.log(
  `\nmutation score: ${killed} of ${results.length} killed (${((100 * killed) / Math.max(1, results.length)).toFixed(1)} %) in ${seconds} s`,
);
const survivors = results.filter((r) => r.outcome === 'survived');
if (survivors.length > 0) {
  console.log('survivors:');
  for (const s of survivors) console.log(`  ${s.file}:${s.line}  ${s.what}`);
}

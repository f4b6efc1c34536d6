#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`, or `node --cpu-prof`): self time by
// function and by file, and inclusive time of the heaviest functions.
//   node bench/profile-summary.mjs bench/results/profiles/tend-main-….cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const topAt = args.indexOf('--top');
const top = topAt === -1 ? 25 : Number(args[topAt + 1]);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// self time per node from the samples and their time deltas (µs)
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const short = (url) =>
  url
    ? url
        .replace(/^file:\/\//, '')
        .replace(/^.*\/node_modules\//, 'node_modules/')
        .replace(/^.*\/dist\//, 'dist/')
    : '';
const nameOf = (node) => {
  const f = node.callFrame;
  return `${f.functionName || '(anonymous)'} ${short(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
};

const byFunction = new Map();
const byFile = new Map();
const inclusive = new Map();
for (const [id, us] of self) {
  const node = nodes.get(id);
  const key = nameOf(node);
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const fileKey = short(node.callFrame.url) || node.callFrame.functionName || '(native)';
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  // inclusive: every distinct function on the stack gets the sample once
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = nameOf(nodes.get(at));
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
}

const ms = (us) => `${(us / 1000).toFixed(1).padStart(8)} ms`;
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${ms(us)} ${pct(us)}  ${key}`);
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled (${profile.samples.length} samples)`);
print('self time by function', byFunction);
print('self time by file', byFile);
print('inclusive time by function', inclusive);

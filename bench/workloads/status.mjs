// 2. The status command's latency with N programs running: median wall time (spawn to exit) of `runs`
// sequential calls. The first output is checked to list every program.
import { median } from '../lib/util.mjs';

export async function measureStatus(instance, { n, runs = 20 }) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const result = await instance.status();
    if (i === 0) {
      const listed = result.stdout.split('\n').filter((line) => /\bp\d+\b/.test(line)).length;
      if (listed < n) throw new Error(`the status command listed ${listed} of ${n} programs`);
    }
    times.push(result.ms);
  }
  return { ms: median(times), samples: times };
}

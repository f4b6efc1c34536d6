// Types of load.mjs, for the tests that use it.
export interface LoadStats {
  sent: number;
  ok: number;
  failed: number;
  retried: number;
  latenciesMs: number[];
  errors: Map<string, number>;
}

export function startLoad(options: { port: number; connections?: number }): {
  stats: LoadStats;
  stop(): Promise<LoadStats>;
};

export function summarize(stats: LoadStats): {
  sent: number;
  ok: number;
  failed: number;
  retried: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  errors: Record<string, number>;
};

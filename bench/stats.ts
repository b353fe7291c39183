// Numbers of the benchmarks: summary statistics, the machine they ran on, and the JSON result files
// (bench/results/<name>.json).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Nearest-rank percentile. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

export function stats(samples: number[]): Stats {
  const n = samples.length;
  const mean = n ? samples.reduce((a, b) => a + b, 0) / n : 0;
  return {
    n,
    p50: round1(percentile(samples, 50)),
    p90: round1(percentile(samples, 90)),
    p99: round1(percentile(samples, 99)),
    mean: round1(mean),
    min: round1(n ? Math.min(...samples) : 0),
    max: round1(n ? Math.max(...samples) : 0),
  };
}

export function machine(): { node: string; cpus: number; loadavg: number[] } {
  return { node: process.version, cpus: cpus().length, loadavg: loadavg().map(round1) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function writeResult(name: string, summary: unknown): Promise<string> {
  const file = join(HERE, 'results', `${name}.json`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

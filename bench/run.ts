// `npm run bench`: every benchmark in bench/, one after the other, each writing bench/results/<name>.json.
// `npm run bench -- releases api-reads` runs only the named ones. Exits non-zero if any benchmark failed.
// Benchmarks are discovered, not listed (helpers add their own without touching this file): every bench/*.ts
// is one except this runner, the helpers named in HELPERS, child-process entry points (`*-process.ts`), and a
// file whose header says "not a benchmark".
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const HELPERS = new Set(['run', 'rig', 'stats', 'process', 'history', 'loadgen', 'seed']);

function isBenchmark(name: string): boolean {
  if (HELPERS.has(name) || name.endsWith('-process')) return false;
  const header = readFileSync(join(HERE, `${name}.ts`), 'utf8')
    .split('\n')
    .slice(0, 12)
    .join('\n');
  return !/not a benchmark/i.test(header);
}

const BENCHMARKS = readdirSync(HERE)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .filter(isBenchmark)
  .sort();

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !BENCHMARKS.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}
if (wanted.length === 0 && process.env.BENCH_LIST === '1') {
  console.log(BENCHMARKS.join('\n'));
  process.exit(0);
}
const failed: string[] = [];
for (const name of wanted.length > 0 ? wanted : BENCHMARKS) {
  console.log(`\n=== bench/${name}.ts`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, `${name}.ts`)], { stdio: 'inherit' });
  const seconds = Math.round((performance.now() - started) / 1000);
  if (run.status !== 0) failed.push(name);
  console.log(`=== bench/${name}.ts ${run.status === 0 ? 'done' : `failed (${run.status ?? run.signal})`} in ${seconds} s`);
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}

// `npm run bench`: every benchmark in bench/, one after the other, each writing bench/results/<name>.json.
// `npm run bench -- releases` runs only the named ones. Exits non-zero if any benchmark failed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCHMARKS = ['releases', 'promotion-latency', 'promotion-concurrency', 'convergence-notice'];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !BENCHMARKS.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
  process.exit(2);
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

// Helper of the HTTP benchmarks (not a benchmark): the API in its own process (bench/api-process.ts) on a given
// database, and the open-loop load generator (bench/loadgen.ts) as another process. Used by bench/api-reads.ts
// and bench/dora.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './loadgen.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** A port free right now (PORT must be ≥ 1 in the configuration). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startApi(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', BENCH_API_PORT: String(await freePort()) };
  // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of the API process there (node --cpu-prof).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(HERE, 'api-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (buf: Buffer) => {
      err += buf.toString();
      const m = /API-READY (\S+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`API exited with ${code}: ${err}`)));
  });
  return { child, url };
}

export function loadgen(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'loadgen.ts')], {
    env: { ...process.env, BENCH_LOADGEN: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (buf: Buffer) => (out += buf.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`loadgen exited with ${code}`)))),
  );
}

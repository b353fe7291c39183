// Benchmark (not a test): the GitOps engine alone, without Temporal, the API or the simulator — what the
// commit queue and clone cache (gitops/commit-queue.ts, repo-cache.ts) change for BENCH_ENVS (100) concurrent
// promotions into one bare repository, against the engine before them (FC_GIT_CACHE=off: a fresh clone per
// call, calls queued one by one), in the same process and run:
//   - one pushRelease alone (p50 of BENCH_SINGLES, 5), then BENCH_ENVS at once (wall, pushes, commits);
//   - the render step's read (readFilesAt of two files) alone.
// Fails (exit 1) unless every promotion pushed exactly one commit of its own in each mode.
//   bash scripts/with-node.sh tsx bench/git-commit-queue.ts
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { renderEnvironment } from '../gitops/render.js';
import { pushRelease, readFilesAt, type PushReleaseInput } from '../gitops/repo.js';
import { commitFiles, ensureBareRepo } from '../sim/gitops-repo.js';
import { machine, stats, writeResult } from './stats.js';

const ENVS = Number(process.env.BENCH_ENVS ?? 100);
const SINGLES = Number(process.env.BENCH_SINGLES ?? 5);
const run = promisify(execFile);

async function bareRepo(root: string, name: string): Promise<string> {
  const bare = path.join(root, `${name}.git`);
  await ensureBareRepo(bare, 'main');
  await commitFiles(bare, { 'README.md': '# environments\n' }, 'initial layout', 'main');
  const hook = path.join(bare, 'hooks', 'post-receive');
  await mkdir(path.dirname(hook), { recursive: true });
  await writeFile(hook, '#!/bin/sh\necho push >> "$GIT_DIR/pushes.log"\n');
  await chmod(hook, 0o755);
  return bare;
}

function promotion(repoUrl: string, workDir: string, env: string, deployment: number): PushReleaseInput {
  const releaseId = `00000000-0000-4000-8000-${String(deployment).padStart(12, '0')}`;
  return {
    repoUrl,
    branch: 'main',
    workDir,
    render: (readFile) =>
      renderEnvironment({
        environment: env,
        descriptor: {
          core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: `1.0.${deployment}` } } } } },
          infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
        },
        releaseId,
        descriptorDigest: `sha256:${'d'.repeat(64)}`,
        productVersion: `1.0.${deployment}`,
        readFile,
      }).files,
    message: { subject: `Promote ${env}` },
    trailers: {
      'Flow-Controller-Deployment': String(deployment),
      'Flow-Controller-Environment': env,
      'Flow-Controller-Release': releaseId,
    },
    idempotencyTrailer: 'Flow-Controller-Deployment',
    author: { name: 'Bench', email: 'bench@example.com' },
  };
}

async function measure(mode: 'queue' | 'off', root: string, workDir: string, base: number) {
  if (mode === 'off') process.env.FC_GIT_CACHE = 'off';
  else delete process.env.FC_GIT_CACHE;
  const bare = await bareRepo(root, `repo-${mode}`);
  const single: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const t = performance.now();
    await pushRelease(promotion(bare, workDir, `single-${i}`, base + i));
    single.push(performance.now() - t);
  }
  const reads: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const t = performance.now();
    await readFilesAt({
      repoUrl: bare,
      branch: 'main',
      workDir,
      paths: ['environments/single-0/core/values.yaml', 'environments/single-0/infra/values.yaml'],
    });
    reads.push(performance.now() - t);
  }
  const pushesBefore = (await readFile(path.join(bare, 'pushes.log'), 'utf8')).split('\n').filter(Boolean).length;
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: ENVS }, (_, i) => pushRelease(promotion(bare, workDir, `env-${i}`, base + 1000 + i))),
  );
  const wallMs = performance.now() - t0;
  const pushes = (await readFile(path.join(bare, 'pushes.log'), 'utf8')).split('\n').filter(Boolean).length - pushesBefore;
  const log = (
    await run('git', ['-C', bare, 'log', `-n${ENVS + SINGLES + 5}`, '--format=%(trailers:key=Flow-Controller-Deployment,valueonly)'])
  ).stdout;
  const ids = log
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const exactlyOnce = results.filter(
    (r, i) => r.status === 'pushed' && ids.filter((id) => id === String(base + 1000 + i)).length === 1,
  ).length;
  const singleP50 = stats(single).p50;
  return {
    mode,
    singlePushMs: stats(single),
    readFilesAtMs: stats(reads),
    concurrent: {
      promotions: ENVS,
      wallMs: Math.round(wallMs),
      pushes,
      exactlyOnce,
      wallOverSinglePush: Math.round((wallMs / singleP50) * 10) / 10,
    },
  };
}

async function main(): Promise<void> {
  const before = machine();
  const root = await mkdtemp(path.join(os.tmpdir(), 'fc-bench-gitq-'));
  try {
    const workDir = path.join(root, 'work');
    const queue = await measure('queue', root, workDir, 1);
    const off = await measure('off', root, workDir, 10_000);
    const summary = {
      benchmark: 'git-commit-queue',
      date: new Date().toISOString(),
      machine: { ...before, loadavgAfter: machine().loadavg },
      target:
        'N concurrent promotions into one repository: exactly N commits, one push per batch; the engine share of the promotion-concurrency target (wall ≤ 10 × one promotion)',
      parameters: { environments: ENVS, singles: SINGLES, repository: 'local bare repository' },
      queueAndCache: queue,
      before: off,
      speedup: {
        concurrentWall: Math.round((off.concurrent.wallMs / queue.concurrent.wallMs) * 10) / 10,
        read: Math.round((off.readFilesAtMs.p50 / queue.readFilesAtMs.p50) * 10) / 10,
      },
    };
    console.log(JSON.stringify(summary, null, 2));
    const file = await writeResult('git-commit-queue', summary);
    process.stderr.write(
      `written to ${file}\nqueue+cache: ${ENVS} at once ${queue.concurrent.wallMs} ms in ${queue.concurrent.pushes} pushes (${queue.concurrent.wallOverSinglePush} × one push of ${queue.singlePushMs.p50} ms), read p50 ${queue.readFilesAtMs.p50} ms\n` +
        `before:      ${ENVS} at once ${off.concurrent.wallMs} ms in ${off.concurrent.pushes} pushes (${off.concurrent.wallOverSinglePush} × one push of ${off.singlePushMs.p50} ms), read p50 ${off.readFilesAtMs.p50} ms\n`,
    );
    if (queue.concurrent.exactlyOnce !== ENVS || off.concurrent.exactlyOnce !== ENVS) {
      process.stderr.write('FAILED: not every promotion pushed exactly one commit of its own\n');
      process.exitCode = 1;
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

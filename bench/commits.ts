// Helper of the concurrency benchmarks (not a benchmark): git in the rig's GitOps repository, and which commits
// carry each deployment's trailer — what promotion-concurrency.ts and horizontal.ts check exactly-once on.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEPLOYMENT_TRAILER } from '../activities/gitops-target.js';
import type { Rig } from './rig.js';

const run = promisify(execFile);

export async function rigGit(rig: Rig, args: string[]): Promise<string> {
  return (await run('git', ['-C', rig.repoPath, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** Deployment id → commits carrying its trailer in from..to. */
export async function commitsByDeployment(rig: Rig, from: string, to: string): Promise<Map<string, string[]>> {
  const log = await rigGit(rig, [
    'log',
    `--format=%H%x1f%(trailers:key=${DEPLOYMENT_TRAILER},valueonly,separator=%x2C)%x1e`,
    `${from}..${to}`,
  ]);
  const out = new Map<string, string[]>();
  for (const record of log.split('\x1e')) {
    const [sha, trailer] = record.trim().split('\x1f');
    if (!sha) continue;
    for (const id of (trailer ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean))
      out.set(id, [...(out.get(id) ?? []), sha]);
  }
  return out;
}

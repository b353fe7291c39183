// Shared fixtures for the simulator's tests (sim/*.test.ts): a bare GitOps repo in a temp dir with values files in
// the docs/gitops-layout.md format, a values builder, and a simulator on virtual time over such a repo.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { commitFiles, ensureBareRepo } from '../sim/gitops-repo.js';
import { ManualScheduler } from '../sim/clock.js';
import { createSimulator, type Simulator } from '../sim/simulator.js';
import { createArgoClient, type ArgoClient } from '../integrations/argocd.js';

export interface FixtureWorkload {
  kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';
  replicas?: number;
  images: Record<string, string>;
}

/** Values file text: `images` maps container → `repo:tag` or `repo@sha256:…`. */
export function valuesYaml(workloads: Record<string, FixtureWorkload>, releaseId = 'rel-1'): string {
  const doc = {
    flowController: { releaseId, descriptorDigest: `sha256:${'0'.repeat(64)}`, productVersion: '1.0.0' },
    workloads: Object.fromEntries(
      Object.entries(workloads).map(([name, w]) => [
        name,
        {
          kind: w.kind ?? 'Deployment',
          ...(w.replicas !== undefined ? { replicas: w.replicas } : {}),
          containers: Object.fromEntries(
            Object.entries(w.images).map(([c, image]) => {
              const at = image.indexOf('@');
              if (at >= 0) return [c, { image: { repository: image.slice(0, at), digest: image.slice(at + 1) } }];
              const colon = image.lastIndexOf(':');
              return [c, { image: { repository: image.slice(0, colon), tag: image.slice(colon + 1) } }];
            }),
          ),
        },
      ]),
    ),
  };
  return `# test values\n${stringify(doc)}`;
}

export interface RepoFixture {
  root: string;
  repo: string;
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createRepoFixture(files: Record<string, string>): Promise<RepoFixture & { first: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'fc-sim-test-'));
  const repo = path.join(root, 'gitops.git');
  await ensureBareRepo(repo);
  const commit = (f: Record<string, string | null>, message = 'update') => commitFiles(repo, f, message);
  const first = await commit(files, 'initial');
  return { root, repo, first, commit, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Phase lengths (virtual ms) that make every intermediate state of an operation observable. */
export const VIRTUAL_TIMING = {
  operationStartMs: 100,
  applyMs: 100,
  observeMs: 50,
  podStepMs: 200,
  terminationMs: 50,
  healthLagMs: 100,
  terminateMs: 100,
};

export interface VirtualSimulator {
  fx: RepoFixture & { first: string };
  sim: Simulator;
  clock: ManualScheduler;
  argo: ArgoClient;
}

/**
 * One simulator on virtual time (a ManualScheduler starting at `startMs`) over a repository holding `file`
 * with `initial`: `start()` in beforeAll, `reset()` in beforeEach (fresh simulator state, `file` back to
 * `initial`), `stop()` in afterAll.
 */
export function virtualSimulator(opts: { file: string; initial: string; startMs?: number }) {
  let v: VirtualSimulator | undefined;
  return {
    async start(): Promise<VirtualSimulator> {
      const fx = await createRepoFixture({ [opts.file]: opts.initial });
      const clock = new ManualScheduler(opts.startMs);
      const sim = await createSimulator({ scheduler: clock, timing: VIRTUAL_TIMING });
      const argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 5_000 });
      v = { fx, sim, clock, argo };
      return v;
    },
    async reset(): Promise<void> {
      if (!v) throw new Error('virtualSimulator: start() first');
      v.sim.reset();
      await v.fx.commit({ [opts.file]: opts.initial }, 'reset to the initial values');
    },
    async stop(): Promise<void> {
      await v?.sim.close();
      await v?.fx.cleanup();
    },
  };
}

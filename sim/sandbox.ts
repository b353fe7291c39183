// Sandbox mode: one call that gives `npm start` a local "cluster" when no real Argo CD is
// configured. It creates (idempotently) a real bare GitOps repository laid out per
// docs/gitops-layout.md, starts the simulator with human-visible timings, registers one Argo
// Application per environment and group, and returns everything needed to configure Flow
// Controller's Argo CD, Kubernetes and Git clients. Never use it when a real Argo CD is configured.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleGit } from 'simple-git';
import { createArgoClient } from '../integrations/argocd.js';
import { commitFiles, ensureBareRepo } from './gitops-repo.js';
import { createSimulator, type Simulator } from './simulator.js';
import { SANDBOX_TIMING, type Timing } from './timing.js';

export const SANDBOX_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type SandboxEnvironment = (typeof SANDBOX_ENVIRONMENTS)[number];

export interface SandboxOptions {
  /** Directory for the bare repo (`<dataDir>/gitops.git`) and the simulator's Git cache. Created if missing. */
  dataDir: string;
  /** Default SANDBOX_TIMING (rollouts of a few seconds). Pass INSTANT_TIMING-like values in tests. */
  timing?: Partial<Timing>;
  /** Application groups per environment; default `['default']`. */
  groups?: string[];
  host?: string;
  /** 0 = any free port (default). */
  argoPort?: number;
  kubePort?: number;
  argoAdmin?: { username: string; password: string };
  kubeToken?: string;
  /**
   * Sync every Application to its branch head at start (default true), so the simulated cluster,
   * which lives in memory, comes back with what Git says after a restart.
   */
  restoreFromGit?: boolean;
}

export interface SandboxApplication {
  name: string;
  group: string;
  environment: SandboxEnvironment;
  namespace: string;
  /** Values file path inside the repo (what Flow Controller's renderer writes). */
  valuesPath: string;
}

export interface Sandbox {
  argo: { url: string; username: string; password: string };
  kube: { server: string; caData: string; token: string };
  git: { repoURL: string; repoPath: string; branch: string };
  environments: { name: SandboxEnvironment; namespace: string; applications: SandboxApplication[] }[];
  simulator: Simulator;
  close(): Promise<void>;
}

export function valuesPath(environment: string, group: string): string {
  return `environments/${environment}/${group}/values.yaml`;
}

function initialValues(environment: string, group: string): string {
  return [
    `# Values of Argo CD Application ${environment}-${group} (namespace ${environment}).`,
    '# Layout and keys: docs/gitops-layout.md. Flow Controller rewrites `flowController` and `workloads`',
    '# on every promotion; comments and other keys are preserved.',
    'workloads: {}',
    '',
  ].join('\n');
}

const README = `# Flow Controller sandbox GitOps repository

Created by the sandbox (sim/sandbox.ts). One Argo CD Application per environment and group, named
\`<env>-<group>\`, reading \`environments/<env>/<group>/values.yaml\` on branch \`main\` and deploying to
namespace \`<env>\`. See docs/gitops-layout.md in the Flow Controller repository.
`;

async function existsAt(repo: string, branch: string, file: string): Promise<boolean> {
  try {
    await simpleGit(repo).raw(['cat-file', '-e', `${branch}:${file}`]);
    return true;
  } catch {
    return false;
  }
}

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const branch = 'main';
  const groups = opts.groups ?? ['default'];
  const dataDir = path.resolve(opts.dataDir);
  const repoPath = path.join(dataDir, 'gitops.git');
  await mkdir(dataDir, { recursive: true });
  await ensureBareRepo(repoPath, branch);

  const missing: Record<string, string> = {};
  if (!(await existsAt(repoPath, branch, 'README.md'))) missing['README.md'] = README;
  for (const env of SANDBOX_ENVIRONMENTS) {
    for (const group of groups) {
      const file = valuesPath(env, group);
      if (!(await existsAt(repoPath, branch, file))) missing[file] = initialValues(env, group);
    }
  }
  if (Object.keys(missing).length > 0) await commitFiles(repoPath, missing, 'sandbox: initialise GitOps layout', branch);

  const repoURL = pathToFileURL(repoPath).href;
  const simulator = await createSimulator({
    host: opts.host,
    argoPort: opts.argoPort,
    kubePort: opts.kubePort,
    timing: { ...SANDBOX_TIMING, ...(opts.timing ?? {}) },
    gitCacheDir: path.join(dataDir, 'sim-git-cache'),
    argoAdmin: opts.argoAdmin,
    kubeToken: opts.kubeToken,
  });
  try {
    const environments = SANDBOX_ENVIRONMENTS.map((env) => ({
      name: env,
      namespace: env,
      applications: groups.map((group): SandboxApplication => ({
        name: `${env}-${group}`,
        group,
        environment: env,
        namespace: env,
        valuesPath: valuesPath(env, group),
      })),
    }));
    for (const env of environments) {
      for (const app of env.applications) {
        await simulator.addApplication({
          name: app.name,
          project: 'default',
          repoURL,
          path: path.posix.dirname(app.valuesPath),
          targetRevision: branch,
          valueFiles: ['values.yaml'],
          namespace: app.namespace,
          labels: { 'flow-controller.io/environment': env.name, 'flow-controller.io/group': app.group },
        });
      }
    }
    if (opts.restoreFromGit ?? true) {
      const argo = createArgoClient({ baseUrl: simulator.argoUrl, ...simulator.argoAdmin, timeoutMs: 30_000 });
      for (const app of environments.flatMap((e) => e.applications)) {
        await argo.sync(app.name, { revision: branch, prune: true, infos: [{ name: 'sandbox', value: 'restore-from-git' }], syncOptions: [] });
      }
    }
    return {
      argo: { url: simulator.argoUrl, ...simulator.argoAdmin },
      kube: { server: simulator.kubeUrl, caData: simulator.kubeCaData, token: simulator.kubeToken },
      git: { repoURL, repoPath, branch },
      environments,
      simulator,
      close: () => simulator.close(),
    };
  } catch (err) {
    await simulator.close();
    throw err;
  }
}

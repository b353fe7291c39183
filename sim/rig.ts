// The sandbox rig, built once for `npm start` (sim/sandbox.ts), the promotion tests (test/promotion-fixture.ts)
// and the promotion benchmarks (bench/rig.ts): environments, groups and timing in; a real bare GitOps
// repository laid out per docs/gitops-layout.md, a running simulator with one `<env>-<group>` Argo CD
// Application per environment and group, and the EnvironmentConfigs that point Flow Controller at them out.
// Also the sample template and descriptor the three of them deploy.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleGit } from 'simple-git';
import { createArgoClient } from '../integrations/argocd.js';
import { DEFAULT_APPLICATION_PATTERN, DEFAULT_PATH_PATTERN, expandPattern, type EnvironmentConfig } from '../domain/environment.js';
import type { Descriptor, Template } from '../domain/descriptor.js';
import { commitFiles, ensureBareRepo } from './gitops-repo.js';
import { createSimulator, type Simulator } from './simulator.js';
import { INSTANT_TIMING, type Timing } from './timing.js';

/** The sample product: an `api` whose tag is the release's, and a `gateway` pinned in the template. */
export const SAMPLE_GROUPS = ['core', 'infra'] as const;
export const SAMPLE_TEMPLATE: Template = {
  core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG>' } } } } },
  infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
};

/** A descriptor of the sample product with the api at `tag` (and the gateway at `gatewayTag`). */
export function sampleDescriptor(tag: string, gatewayTag = 'stable') {
  return {
    core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag } } } } },
    infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: gatewayTag } } } } },
  } satisfies Descriptor;
}

export interface RigOptions {
  /** Directory for the bare repo (`<dataDir>/gitops.git`) and the simulator's Git cache. Created if missing. */
  dataDir: string;
  /** Environment names; each is also its namespace. */
  environments: readonly string[];
  /** Application groups per environment. */
  groups: readonly string[];
  /** Default INSTANT_TIMING. */
  timing?: Partial<Timing>;
  host?: string;
  /** 0 = any free port (default). */
  argoPort?: number;
  kubePort?: number;
  argoAdmin?: { username: string; password: string };
  kubeToken?: string;
  /**
   * The configs' secret references are `env:<secretPrefix>_ARGO_USERNAME`, `…_ARGO_PASSWORD` and
   * `…_KUBE_TOKEN`; `Rig.secrets` holds their values.
   */
  secretPrefix: string;
  /** Content of a values file the repository does not have yet. */
  initialValues?: (environment: string, group: string) => string;
  /** Other files a new repository gets (e.g. README.md); never overwritten. */
  files?: Record<string, string>;
  /** Message of the commit that adds the missing files (default `initial layout`). */
  commitMessage?: string;
  /**
   * Sync every Application to its branch head at start (default false), so a simulated cluster, which
   * lives in memory, comes back with what Git says after a restart.
   */
  restoreFromGit?: boolean;
}

export interface RigApplication {
  name: string;
  group: string;
  environment: string;
  namespace: string;
  /** Values file path inside the repo (what Flow Controller's renderer writes). */
  valuesPath: string;
}

export interface RigEnvironment {
  name: string;
  namespace: string;
  applications: RigApplication[];
}

/** What an environment decides for itself; the rig supplies its targets (gitops, argocd, kubernetes). */
export type EnvironmentPolicy = Partial<Omit<EnvironmentConfig, 'gitops' | 'argocd' | 'kubernetes'>>;

export interface Rig {
  argo: { url: string; username: string; password: string };
  kube: { server: string; caData: string; token: string };
  git: { repoURL: string; repoPath: string; branch: string };
  environments: RigEnvironment[];
  simulator: Simulator;
  /** Values of the configs' `env:` secret references, by variable name (for a SecretResolver or a child's env). */
  secrets: Record<string, string>;
  /** The configuration of one of the rig's environments pointing at the rig's repository, Argo CD and cluster. */
  environmentConfig(name: string, policy?: EnvironmentPolicy): EnvironmentConfig;
  close(): Promise<void>;
}

export function defaultInitialValues(environment: string, group: string): string {
  return `# ${environment}-${group}: comments survive promotions\nteam: platform\nworkloads: {}\n`;
}

async function existsAt(repo: string, branch: string, file: string): Promise<boolean> {
  try {
    await simpleGit(repo).raw(['cat-file', '-e', `${branch}:${file}`]);
    return true;
  } catch {
    return false;
  }
}

export async function createRig(opts: RigOptions): Promise<Rig> {
  const branch = 'main';
  const dataDir = path.resolve(opts.dataDir);
  const repoPath = path.join(dataDir, 'gitops.git');
  await mkdir(dataDir, { recursive: true });
  const created = await ensureBareRepo(repoPath, branch);

  const initialValues = opts.initialValues ?? defaultInitialValues;
  const wanted: Record<string, string> = { ...(opts.files ?? {}) };
  for (const env of opts.environments) {
    for (const group of opts.groups) wanted[expandPattern(DEFAULT_PATH_PATTERN, { env, group })] = initialValues(env, group);
  }
  const missing: Record<string, string> = {};
  for (const [file, content] of Object.entries(wanted)) {
    if (created || !(await existsAt(repoPath, branch, file))) missing[file] = content;
  }
  if (Object.keys(missing).length > 0) await commitFiles(repoPath, missing, opts.commitMessage ?? 'initial layout', branch);

  const repoURL = pathToFileURL(repoPath).href;
  const simulator = await createSimulator({
    host: opts.host,
    argoPort: opts.argoPort,
    kubePort: opts.kubePort,
    timing: { ...INSTANT_TIMING, ...(opts.timing ?? {}) },
    gitCacheDir: path.join(dataDir, 'sim-git-cache'),
    argoAdmin: opts.argoAdmin,
    kubeToken: opts.kubeToken,
  });
  try {
    const environments = opts.environments.map((env): RigEnvironment => ({
      name: env,
      namespace: env,
      applications: opts.groups.map((group) => ({
        name: expandPattern(DEFAULT_APPLICATION_PATTERN, { env, group }),
        group,
        environment: env,
        namespace: env,
        valuesPath: expandPattern(DEFAULT_PATH_PATTERN, { env, group }),
      })),
    }));
    for (const app of environments.flatMap((e) => e.applications)) {
      await simulator.addApplication({
        name: app.name,
        project: 'default',
        repoURL,
        path: path.posix.dirname(app.valuesPath),
        targetRevision: branch,
        valueFiles: [path.posix.basename(app.valuesPath)],
        namespace: app.namespace,
        labels: { 'flow-controller.io/environment': app.environment, 'flow-controller.io/group': app.group },
      });
    }
    if (opts.restoreFromGit) {
      const argo = createArgoClient({ baseUrl: simulator.argoUrl, ...simulator.argoAdmin, timeoutMs: 30_000 });
      for (const app of environments.flatMap((e) => e.applications)) {
        await argo.sync(app.name, {
          revision: branch,
          prune: true,
          infos: [{ name: 'sandbox', value: 'restore-from-git' }],
          syncOptions: [],
        });
      }
    }

    const ref = {
      argoUsername: `${opts.secretPrefix}_ARGO_USERNAME`,
      argoPassword: `${opts.secretPrefix}_ARGO_PASSWORD`,
      kubeToken: `${opts.secretPrefix}_KUBE_TOKEN`,
    };
    return {
      argo: { url: simulator.argoUrl, ...simulator.argoAdmin },
      kube: { server: simulator.kubeUrl, caData: simulator.kubeCaData, token: simulator.kubeToken },
      git: { repoURL, repoPath, branch },
      environments,
      simulator,
      secrets: {
        [ref.argoUsername]: simulator.argoAdmin.username,
        [ref.argoPassword]: simulator.argoAdmin.password,
        [ref.kubeToken]: simulator.kubeToken,
      },
      environmentConfig(name, policy = {}) {
        if (!opts.environments.includes(name)) throw new Error(`the rig has no environment ${name}`);
        return {
          displayOrder: 0,
          upstream: [],
          protected: false,
          approvalsRequired: 0,
          approvers: [],
          approvalTimeoutSeconds: 86_400,
          convergenceDeadlineSeconds: 600,
          degradedGraceSeconds: 60,
          ...policy,
          gitops: { repoUrl: repoURL, branch, pathPattern: DEFAULT_PATH_PATTERN },
          argocd: {
            serverUrl: simulator.argoUrl,
            project: 'default',
            applicationPattern: DEFAULT_APPLICATION_PATTERN,
            usernameRef: `env:${ref.argoUsername}`,
            passwordRef: `env:${ref.argoPassword}`,
          },
          kubernetes: {
            server: simulator.kubeUrl,
            namespace: name,
            caData: simulator.kubeCaData,
            tokenRef: `env:${ref.kubeToken}`,
            skipTLSVerify: false,
          },
        };
      },
      close: () => simulator.close(),
    };
  } catch (err) {
    await simulator.close();
    throw err;
  }
}

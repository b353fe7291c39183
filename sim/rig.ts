// The sandbox rig, built once for `npm start` (sim/sandbox.ts), the promotion tests (test/promotion-fixture.ts)
// and the promotion benchmarks (bench/rig.ts): environments, groups and timing in; a real bare GitOps
// repository laid out per docs/gitops-layout.md, a running simulator with one `<env>-<group>` Argo CD
// Application per environment and group (in every simulated cluster, RigOptions.clusters; single-source by
// default, multi-source with `argoApps.<env>.sources`), and the EnvironmentConfigs that point Flow Controller at
// them out.
// Also the sample template and descriptor the three of them deploy.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createArgoClient } from '../integrations/argocd.js';
import {
  type ArgoTarget,
  DEFAULT_APPLICATION_PATTERN,
  DEFAULT_GROUP_LABEL,
  DEFAULT_PATH_PATTERN,
  expandPattern,
  type EnvironmentConfig,
} from '../domain/environment.js';
import type { Descriptor, Template } from '../domain/descriptor.js';
import { ensureBareRepo } from './gitops-repo.js';
import { CHART_PATH, seedRepository, treeFiles } from './rig-repo.js';
import { createSimulator, type Simulator } from './simulator.js';
import { INSTANT_TIMING, type Timing } from './timing.js';
import type { AppSpec } from './argo-app.js';
import type { RigArgoApps, RigLayout } from './rig-options.js';

export type { RigArgoApps, RigLayout, RigSourceContext } from './rig-options.js';

/** The label an ApplicationSet of the rig puts on the Applications it generates for an environment. */
export const ENVIRONMENT_LABEL = 'flow-controller.io/environment';

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
  /**
   * Applications render `charts/flow-workloads` (copied into the repository at that path, and brought up to date
   * with the shipped chart) with real Helm, `valueFiles: [../../environments/<env>/<group>/values.yaml]`, instead
   * of sim/chart.ts. Default: env `SIM_HELM_CHART=1`, else off (tests opt in: Helm costs time per render).
   */
  helmChart?: boolean;
  /** Another repository layout instead of docs/gitops-layout.md's (e.g. a sample repository, test/gitops-samples.ts). */
  layout?: RigLayout;
  /** Other files a new repository gets (e.g. README.md); never overwritten. */
  files?: Record<string, string>;
  /** Message of the commit that adds the missing files (default `initial layout`). */
  commitMessage?: string;
  /**
   * Sync every Application to its branch head at start (default false), so a simulated cluster, which
   * lives in memory, comes back with what Git says after a restart.
   */
  restoreFromGit?: boolean;
  /** Per environment: auto-sync, ApplicationSet generation and sources of its Applications (default: none). */
  argoApps?: Record<string, RigArgoApps>;
  /**
   * Local chart directories every simulator serves as Helm-repository charts (`chart:` sources), registered first
   * (e.g. rig-repo.ts CHART_DIR, the shipped chart).
   */
  helmCharts?: Array<{ repoURL: string; chart: string; version: string; dir: string }>;
  /**
   * Simulated clusters, each its own simulator (an Argo CD and a Kubernetes API) with the same Applications
   * reconciling from the same repository. The first is every environment's top-level target (`clusterName`),
   * the others its `clusters` entries. Default: one cluster, and configurations that name none.
   */
  clusters?: readonly string[];
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

/**
 * What an environment decides for itself; the rig supplies its targets (gitops, argocd, kubernetes), except
 * the Argo CD sync mode.
 */
export type EnvironmentPolicy = Partial<Omit<EnvironmentConfig, 'gitops' | 'argocd' | 'kubernetes' | 'clusterName' | 'clusters'>> & {
  syncMode?: ArgoTarget['syncMode'];
};

/** A stable generated suffix, as an ApplicationSet's name template with a hash would give (`prod-core-x7k2`). */
function generatedSuffix(env: string, group: string): string {
  return createHash('sha256').update(`${env}/${group}`).digest('hex').slice(0, 4);
}

/** One simulated cluster of the rig. */
export interface RigCluster {
  /** As given in RigOptions.clusters (`default` when none were given). */
  name: string;
  simulator: Simulator;
  argo: { url: string; username: string; password: string };
  kube: { server: string; caData: string; token: string };
}

export interface Rig {
  /** The first cluster's Argo CD, Kubernetes API and simulator (the only ones without RigOptions.clusters). */
  argo: { url: string; username: string; password: string };
  kube: { server: string; caData: string; token: string };
  git: { repoURL: string; repoPath: string; branch: string };
  environments: RigEnvironment[];
  simulator: Simulator;
  /** Every simulated cluster, the first one first. */
  clusters: RigCluster[];
  /** Values of the configs' `env:` secret references, by variable name (for a SecretResolver or a child's env). */
  secrets: Record<string, string>;
  /** The configuration of one of the rig's environments pointing at the rig's repository, Argo CD and cluster. */
  environmentConfig(name: string, policy?: EnvironmentPolicy): EnvironmentConfig;
  close(): Promise<void>;
}

export function defaultInitialValues(environment: string, group: string): string {
  return `# ${environment}-${group}: comments survive promotions\nteam: platform\nworkloads: {}\n`;
}

export async function createRig(opts: RigOptions): Promise<Rig> {
  const branch = 'main';
  const dataDir = path.resolve(opts.dataDir);
  const repoPath = path.join(dataDir, 'gitops.git');
  await mkdir(dataDir, { recursive: true });
  const created = await ensureBareRepo(repoPath, branch);

  const initialValues = opts.initialValues ?? defaultInitialValues;
  const layout = opts.layout;
  const helmChart = layout === undefined && (opts.helmChart ?? process.env.SIM_HELM_CHART === '1');
  const pathPattern = layout?.pathPattern ?? DEFAULT_PATH_PATTERN;
  const files: Record<string, string> = { ...(layout?.files ?? {}), ...(opts.files ?? {}) };
  if (!layout) {
    for (const env of opts.environments) {
      for (const group of opts.groups) files[expandPattern(DEFAULT_PATH_PATTERN, { env, group })] = initialValues(env, group);
    }
  }
  await seedRepository({
    repoPath,
    branch,
    created,
    files,
    owned: helmChart ? await treeFiles() : {},
    message: opts.commitMessage ?? 'initial layout',
    updateMessage: `update ${CHART_PATH} to the shipped chart`,
  });
  const source = (env: string, group: string, valuesPath: string) =>
    layout
      ? layout.application(env, group)
      : helmChart
        ? { path: CHART_PATH, valueFiles: [path.posix.relative(CHART_PATH, valuesPath)] }
        : { path: path.posix.dirname(valuesPath), valueFiles: [path.posix.basename(valuesPath)] };

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
  // Further clusters (RigOptions.clusters): their own simulators, the same Applications, the same repository.
  const clusterNames = opts.clusters && opts.clusters.length > 0 ? opts.clusters : ['default'];
  const simulators = [simulator];
  try {
    for (const name of clusterNames.slice(1)) {
      simulators.push(
        await createSimulator({
          host: opts.host,
          timing: { ...INSTANT_TIMING, ...(opts.timing ?? {}) },
          gitCacheDir: path.join(dataDir, `sim-git-cache-${name}`),
          argoAdmin: opts.argoAdmin,
          kubeToken: opts.kubeToken,
        }),
      );
    }
    for (const chart of opts.helmCharts ?? []) for (const sim of simulators) sim.registerHelmChart(chart);
    const addApplication = async (spec: AppSpec) => {
      for (const sim of simulators) await sim.addApplication(spec);
    };
    const environments = opts.environments.map((env): RigEnvironment => ({
      name: env,
      namespace: env,
      applications: opts.groups.map((group) => ({
        name: opts.argoApps?.[env]?.applicationSet
          ? `${env}-${group}-${generatedSuffix(env, group)}`
          : expandPattern(DEFAULT_APPLICATION_PATTERN, { env, group }),
        group,
        environment: env,
        namespace: env,
        valuesPath: expandPattern(pathPattern, { env, group }),
      })),
    }));
    const appSetUid = new Map(environments.map((e) => [e.name, randomUUID()]));
    for (const app of environments.flatMap((e) => e.applications)) {
      const argoApps = opts.argoApps?.[app.environment] ?? {};
      const ctx = { environment: app.environment, group: app.group, name: app.name, valuesPath: app.valuesPath, repoURL, branch };
      await addApplication({
        name: app.name,
        project: 'default',
        ...(argoApps.sources
          ? { sources: argoApps.sources(ctx) }
          : { repoURL, ...source(app.environment, app.group, app.valuesPath), targetRevision: branch }),
        namespace: app.namespace,
        labels: { [ENVIRONMENT_LABEL]: app.environment, [DEFAULT_GROUP_LABEL]: app.group },
        ...(argoApps.automated !== undefined ? { automated: argoApps.automated } : {}),
        ...(argoApps.applicationSet
          ? {
              ownerReferences: [
                {
                  apiVersion: 'argoproj.io/v1alpha1',
                  kind: 'ApplicationSet',
                  name: app.environment,
                  uid: appSetUid.get(app.environment) ?? '',
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            }
          : {}),
      });
    }
    for (const sim of opts.restoreFromGit ? simulators : []) {
      const argo = createArgoClient({ baseUrl: sim.argoUrl, ...sim.argoAdmin, timeoutMs: 30_000 });
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
    const clusters = simulators.map((sim, i) => rigCluster(clusterNames[i] as string, sim, i === 0 ? opts.secretPrefix : undefined, opts));
    return {
      argo: { url: simulator.argoUrl, ...simulator.argoAdmin },
      kube: { server: simulator.kubeUrl, caData: simulator.kubeCaData, token: simulator.kubeToken },
      git: { repoURL, repoPath, branch },
      environments,
      simulator,
      clusters: clusters.map((c) => c.cluster),
      secrets: {
        [ref.argoUsername]: simulator.argoAdmin.username,
        [ref.argoPassword]: simulator.argoAdmin.password,
        [ref.kubeToken]: simulator.kubeToken,
        ...Object.fromEntries(clusters.slice(1).flatMap((c) => Object.entries(c.secrets))),
      },
      environmentConfig(name, { syncMode, ...policy } = {}) {
        if (!opts.environments.includes(name)) throw new Error(`the rig has no environment ${name}`);
        const selection = opts.argoApps?.[name]?.applicationSet
          ? { applicationSelector: `${ENVIRONMENT_LABEL}={env}` }
          : { applicationPattern: DEFAULT_APPLICATION_PATTERN };
        return {
          displayOrder: 0,
          upstream: [],
          protected: false,
          approvalsRequired: 0,
          approvers: [],
          approvalTimeoutSeconds: 86_400,
          approvalWaitSeconds: 0,
          convergenceDeadlineSeconds: 600,
          degradedGraceSeconds: 60,
          ...policy,
          gitops: { ...(layout?.gitops ?? {}), repoUrl: repoURL, branch, pathPattern },
          argocd: {
            serverUrl: simulator.argoUrl,
            project: 'default',
            ...selection,
            ...(syncMode ? { syncMode } : {}),
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
          ...(opts.clusters && opts.clusters.length > 0
            ? { clusterName: clusterNames[0], clusters: clusters.slice(1).map((c) => c.target(name, selection, syncMode)) }
            : {}),
        };
      },
      close: async () => {
        for (const sim of simulators) await sim.close();
      },
    };
  } catch (err) {
    for (const sim of simulators) await sim.close();
    throw err;
  }
}

/**
 * A further cluster of the rig: its secret references carry its name (`<secretPrefix>_EU_2_ARGO_USERNAME`),
 * and its `clusters` entry of an environment's configuration.
 */
function rigCluster(name: string, sim: Simulator, prefix: string | undefined, opts: RigOptions) {
  const base = prefix ?? `${opts.secretPrefix}_${name.toUpperCase().replaceAll('-', '_')}`;
  const ref = { argoUsername: `${base}_ARGO_USERNAME`, argoPassword: `${base}_ARGO_PASSWORD`, kubeToken: `${base}_KUBE_TOKEN` };
  return {
    cluster: {
      name,
      simulator: sim,
      argo: { url: sim.argoUrl, ...sim.argoAdmin },
      kube: { server: sim.kubeUrl, caData: sim.kubeCaData, token: sim.kubeToken },
    } satisfies RigCluster,
    secrets: { [ref.argoUsername]: sim.argoAdmin.username, [ref.argoPassword]: sim.argoAdmin.password, [ref.kubeToken]: sim.kubeToken },
    target: (env: string, selection: Pick<ArgoTarget, 'applicationPattern' | 'applicationSelector'>, syncMode: ArgoTarget['syncMode']) => ({
      name,
      argocd: {
        serverUrl: sim.argoUrl,
        project: 'default',
        ...selection,
        ...(syncMode ? { syncMode } : {}),
        usernameRef: `env:${ref.argoUsername}`,
        passwordRef: `env:${ref.argoPassword}`,
      },
      kubernetes: { server: sim.kubeUrl, namespace: env, caData: sim.kubeCaData, tokenRef: `env:${ref.kubeToken}`, skipTLSVerify: false },
    }),
  };
}

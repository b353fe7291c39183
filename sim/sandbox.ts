// Sandbox mode: one call that gives `npm start` a local "cluster" when no real Argo CD is
// configured. It creates (idempotently) a real bare GitOps repository laid out per
// docs/gitops-layout.md with the shipped chart charts/flow-workloads in it, starts the simulator with
// human-visible timings, registers one Argo Application per environment and group rendering that chart
// with real Helm, and returns everything needed to configure Flow Controller's Argo CD, Kubernetes and
// Git clients (built on sim/rig.ts). Never use it when a real Argo CD is configured.
import type { EnvironmentConfig } from '../domain/environment.js';
import { createRig, type RigApplication, type RigOptions } from './rig.js';
import type { Simulator } from './simulator.js';
import { SANDBOX_TIMING } from './timing.js';

export const SANDBOX_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type SandboxEnvironment = (typeof SANDBOX_ENVIRONMENTS)[number];

export interface SandboxOptions extends Pick<
  RigOptions,
  'dataDir' | 'timing' | 'host' | 'argoPort' | 'kubePort' | 'argoAdmin' | 'kubeToken'
> {
  /** Application groups per environment; default `['default']`. */
  groups?: string[];
  /**
   * Sync every Application to its branch head at start (default true), so the simulated cluster,
   * which lives in memory, comes back with what Git says after a restart.
   */
  restoreFromGit?: boolean;
  /**
   * Applications render the shipped chart charts/flow-workloads with real Helm (RigOptions.helmChart), so the
   * sandbox is what production would be. Default on; `false` or env SIM_HELM_CHART=0 uses sim/chart.ts instead.
   */
  helmChart?: boolean;
  /** Name prefix of the secret references in `configs` (default FC_SECRET_SANDBOX: Flow Controller's default FC_SECRET_ENV_PREFIX). */
  secretPrefix?: string;
}

export type SandboxApplication = RigApplication & { environment: SandboxEnvironment };

export interface Sandbox {
  argo: { url: string; username: string; password: string };
  kube: { server: string; caData: string; token: string };
  git: { repoURL: string; repoPath: string; branch: string };
  environments: { name: SandboxEnvironment; namespace: string; applications: SandboxApplication[] }[];
  simulator: Simulator;
  /** dev → staging → prod, configured for this sandbox (secret references `env:<secretPrefix>_…`). */
  configs: Record<SandboxEnvironment, EnvironmentConfig>;
  /** Values of those secret references, by variable name: give them to a SecretResolver, not to process.env. */
  secrets: Record<string, string>;
  close(): Promise<void>;
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
\`<env>-<group>\`, rendering the chart \`charts/flow-workloads\` (Flow Controller's shipped chart) with the values
file \`environments/<env>/<group>/values.yaml\` on branch \`main\`, deploying to namespace \`<env>\`. See
docs/gitops-layout.md and docs/bring-your-own-repo.md in the Flow Controller repository.
`;

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const rig = await createRig({
    ...opts,
    environments: SANDBOX_ENVIRONMENTS,
    groups: opts.groups ?? ['default'],
    timing: { ...SANDBOX_TIMING, ...(opts.timing ?? {}) },
    secretPrefix: opts.secretPrefix ?? 'FC_SECRET_SANDBOX',
    initialValues,
    files: { 'README.md': README },
    commitMessage: 'sandbox: initialise GitOps layout',
    restoreFromGit: opts.restoreFromGit ?? true,
    helmChart: opts.helmChart ?? process.env.SIM_HELM_CHART !== '0',
  });
  const configs = Object.fromEntries(
    SANDBOX_ENVIRONMENTS.map((env, i) => [
      env,
      rig.environmentConfig(env, {
        displayOrder: i,
        upstream: i > 0 ? [SANDBOX_ENVIRONMENTS[i - 1] as string] : [],
        convergenceDeadlineSeconds: 300,
      }),
    ]),
  ) as Record<SandboxEnvironment, EnvironmentConfig>;
  return { ...rig, environments: rig.environments as Sandbox['environments'], configs };
}

// Start-up provisioning for `npm start`: the sandbox (the Argo CD + Kubernetes simulator over a local GitOps
// repository) when nothing real is configured. FC_ENVIRONMENTS_FILE is read by api/services/environments.ts.
// The sandbox never touches an environment that points at another Argo CD.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { listEnvironments } from '../db/environments.js';
import { seedEnvironments } from '../api/services/environments.js';
import { resolveTemplate, saveTemplateRevision } from '../db/templates.js';
import { digestOf } from '../domain/digest.js';
import { DEFAULT_TARGET_POLICY, type TargetPolicy } from '../domain/target-policy.js';

export interface RunningSandbox {
  argoUrl: string;
  kubeUrl: string;
  repoPath: string;
  environments: string[];
  /** Values of the sandbox environments' `env:FC_SECRET_SANDBOX_…` secret references: for a SecretResolver. */
  secrets: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the sandbox and points dev → staging → prod at it, unless an environment already points at a
 * different Argo CD (then the sandbox is not started: `undefined`).
 */
export async function startSandbox(opts: {
  database: Database;
  dataDir: string;
  logger: Logger;
  /** Fixed by default so the sandbox's URLs stay the same across restarts; 0 = any free port (tests). */
  argoPort?: number;
  kubePort?: number;
  /**
   * The installation's target policy (default DEFAULT_TARGET_POLICY): the sandbox's references are named
   * `env:<secretEnvPrefix>SANDBOX_…` so they resolve under it.
   */
  policy?: TargetPolicy;
}): Promise<RunningSandbox | undefined> {
  const policy = opts.policy ?? DEFAULT_TARGET_POLICY;
  const sandboxDir = join(opts.dataDir, 'sandbox');
  const repoUrl = pathToFileURL(join(resolve(sandboxDir), 'gitops.git')).href;
  const existing = await listEnvironments(opts.database.db);
  const foreign = existing.filter((e) => e.gitops.repoUrl !== repoUrl);
  if (foreign.length > 0) {
    opts.logger.info(
      { environments: foreign.map((e) => e.name) },
      "environments point at another GitOps repository (a real one, or another clone's sandbox): sandbox not started; see docs/quickstart.md",
    );
    return undefined;
  }
  // Loaded on demand: the simulator (and its dependencies) only when the sandbox really starts.
  const { createSandbox } = await import('../sim/sandbox.js');
  const { SAMPLE_GROUPS, SAMPLE_TEMPLATE } = await import('../sim/rig.js');
  const sandbox = await createSandbox({
    dataDir: sandboxDir,
    groups: [...SAMPLE_GROUPS],
    argoPort: opts.argoPort ?? 18080,
    kubePort: opts.kubePort ?? 16443,
    secretPrefix: `${policy.secretEnvPrefix}SANDBOX`,
  });
  const names = await seedEnvironments(opts.database, sandbox.configs, 'sandbox', policy);
  await opts.database.db.transaction(async (tx) => {
    if (await resolveTemplate(tx, { chain: ['default'] })) return;
    await saveTemplateRevision(tx, {
      key: 'default',
      document: SAMPLE_TEMPLATE,
      digest: digestOf(SAMPLE_TEMPLATE),
      createdBy: 'sandbox',
      createdByTokenId: null,
    });
  });
  return {
    argoUrl: sandbox.argo.url,
    kubeUrl: sandbox.kube.server,
    repoPath: sandbox.git.repoPath,
    environments: names,
    secrets: sandbox.secrets,
    close: sandbox.close,
  };
}

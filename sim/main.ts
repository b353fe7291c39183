// `npm run sim`: runs the sandbox (simulator + local GitOps repo) as a standalone process, prints
// how to connect, writes the same as JSON to `<dataDir>/connection.json`, and stops on SIGINT/SIGTERM.
// Settings come from the environment (parsed once here; the simulator has its own few knobs).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createSandbox } from './sandbox.js';
import { INSTANT_TIMING, SANDBOX_TIMING } from './timing.js';

const port = z.coerce.number().int().min(0).max(65535);
const SimEnv = z.object({
  FC_DATA_DIR: z.string().min(1).default('.data'),
  SIM_DATA_DIR: z.string().min(1).optional(),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_ARGO_PORT: port.default(18080),
  SIM_KUBE_PORT: port.default(16443),
  SIM_TIMING: z.enum(['sandbox', 'instant']).default('sandbox'),
  SIM_GROUPS: z.string().default('default'),
  SIM_ADMIN_PASSWORD: z.string().min(8).optional(),
});

async function main(): Promise<void> {
  const parsed = SimEnv.safeParse(process.env);
  if (!parsed.success) {
    console.error(`Invalid simulator configuration:\n${z.prettifyError(parsed.error)}`);
    process.exit(2);
  }
  const env = parsed.data;
  const dataDir = env.SIM_DATA_DIR ?? path.join(env.FC_DATA_DIR, 'sim');
  const sandbox = await createSandbox({
    dataDir,
    host: env.SIM_HOST,
    argoPort: env.SIM_ARGO_PORT,
    kubePort: env.SIM_KUBE_PORT,
    timing: env.SIM_TIMING === 'instant' ? INSTANT_TIMING : SANDBOX_TIMING,
    groups: env.SIM_GROUPS.split(',')
      .map((g) => g.trim())
      .filter(Boolean),
    argoAdmin: env.SIM_ADMIN_PASSWORD ? { username: 'admin', password: env.SIM_ADMIN_PASSWORD } : undefined,
  });
  const connection = {
    argo: sandbox.argo,
    kube: sandbox.kube,
    git: sandbox.git,
    environments: sandbox.environments,
    admin: `${sandbox.argo.url}/sim/admin`,
  };
  const file = path.join(path.resolve(dataDir), 'connection.json');
  await writeFile(file, `${JSON.stringify(connection, null, 2)}\n`, { mode: 0o600 });
  console.log(
    [
      'Flow Controller cluster simulator (Argo CD + Kubernetes stand-in) is running.',
      `  Argo CD API : ${sandbox.argo.url}  (user ${sandbox.argo.username}, password ${sandbox.argo.password})`,
      `  Kubernetes  : ${sandbox.kube.server}  (bearer token and CA in ${file})`,
      `  GitOps repo : ${sandbox.git.repoURL}  (branch ${sandbox.git.branch})`,
      `  Apps        : ${sandbox.environments.flatMap((e) => e.applications.map((a) => a.name)).join(', ')}`,
      `  Faults      : ${sandbox.argo.url}/sim/admin/...  (see docs/simulator.md)`,
    ].join('\n'),
  );
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: stopping simulator`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

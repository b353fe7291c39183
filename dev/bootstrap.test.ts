// Start-up provisioning: environments from a file (validated, upstream graph checked) and the sandbox
// (simulator + local GitOps repository) that `npm start` runs when nothing real is configured.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from './bootstrap.js';
import { readEnvironmentsFile, seedEnvironments } from '../api/services/environments.js';
import { listEnvironments } from '../db/environments.js';
import { resolveTemplate } from '../db/templates.js';
import { DEFAULT_TARGET_POLICY } from '../domain/target-policy.js';
import { silentLogger, useTestDatabase } from '../test/harness.js';

const db = useTestDatabase();
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'fc-bootstrap-'));
  dirs.push(d);
  return d;
}

const envConfig = (upstream: string[] = []) => ({
  displayOrder: 1,
  upstream,
  gitops: { repoUrl: 'http://127.0.0.1:9/org/gitops.git' },
  argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:FC_SECRET_ARGOCD_TOKEN' },
  kubernetes: { server: 'https://127.0.0.1:9', namespace: 'prod', tokenRef: 'file:/run/secrets/k8s-token' },
});

describe('sandbox', () => {
  it('provisions dev → staging → prod on the simulator, idempotently, with a default template', { timeout: 60_000 }, async () => {
    const dataDir = await tmp();
    const first = await startSandbox({ database: db.database, dataDir, logger: silentLogger, argoPort: 0, kubePort: 0 });
    expect(first).toBeDefined();
    await first?.close();
    const again = await startSandbox({ database: db.database, dataDir, logger: silentLogger, argoPort: 0, kubePort: 0 });
    try {
      const envs = await listEnvironments(db.database.db);
      expect(envs.map((e) => [e.name, e.upstream])).toEqual([
        ['dev', []],
        ['staging', ['dev']],
        ['prod', ['staging']],
      ]);
      // A restart re-points the environments at the new simulator (fresh CA and ports).
      expect(envs[0]?.argocd.serverUrl).toBe(again?.argoUrl);
      // The secrets stay out of the stored configuration, and out of process.env (a SecretResolver gets them).
      const password = again?.secrets.FC_SECRET_SANDBOX_ARGO_PASSWORD;
      expect(password).toBeTruthy();
      expect(JSON.stringify(envs)).not.toContain(password as string);
      expect(process.env.FC_SECRET_SANDBOX_ARGO_PASSWORD).toBeUndefined();
      expect(await resolveTemplate(db.database.db, { chain: ['default'] })).toBeDefined();
    } finally {
      await again?.close();
    }
  });
});

describe('environments file', () => {
  it('is validated with every problem named, and its upstream graph checked', async () => {
    const dir = await tmp();
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ environments: { prod: { ...envConfig(), argocd: { serverUrl: 'x', tokenRef: 'plain-secret' } } } }),
    );
    expect(() => readEnvironmentsFile(bad)).toThrow(/prod\.argocd\.serverUrl[\s\S]*prod\.argocd\.tokenRef/);
    await writeFile(bad, '{ not json');
    expect(() => readEnvironmentsFile(bad)).toThrow(/bad\.json/);
    await expect(
      seedEnvironments(db.database, { a: envConfig(['b']), b: envConfig(['a']) } as never, 'test', DEFAULT_TARGET_POLICY),
    ).rejects.toThrow(/cycle/);
  });

  it('refuses references and URLs outside the installation policy, naming file and field, storing nothing', async () => {
    const file = join(await tmp(), 'envs.json');
    const outside = {
      ...envConfig(),
      gitops: { repoUrl: 'https://deploy:GitPw@127.0.0.1:9/org/gitops.git' },
      argocd: { serverUrl: 'http://127.0.0.1:9', tokenRef: 'env:DATABASE_URL' },
    };
    await writeFile(file, JSON.stringify({ environments: { leaky: outside } }));
    const err = await seedEnvironments(db.database, readEnvironmentsFile(file), file, DEFAULT_TARGET_POLICY).catch(
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /envs\.json[\s\S]*leaky\.argocd\.tokenRef[\s\S]*leaky\.gitops\.repoUrl: must not contain credentials/,
    );
    expect((err as Error).message).not.toMatch(/GitPw/);
    expect((await listEnvironments(db.database.db)).map((e) => e.name)).not.toContain('leaky');
  });

  it('keeps the sandbox away once a real environment exists', async () => {
    const file = join(await tmp(), 'envs.json');
    await writeFile(file, JSON.stringify({ environments: { real: envConfig() } }));
    expect(await seedEnvironments(db.database, readEnvironmentsFile(file), file, DEFAULT_TARGET_POLICY)).toEqual(['real']);
    expect(
      await startSandbox({ database: db.database, dataDir: await tmp(), logger: silentLogger, argoPort: 0, kubePort: 0 }),
    ).toBeUndefined();
  });
});

// The standalone flowctl package (scripts/pack-cli.ts): `npm pack` of one bundled ES module with no dependencies,
// installed offline into a scratch prefix, run as an installed binary (no tsx, no repository) against a real API
// server on this run's database.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { useTestDatabase } from '../test/harness.js';
import { apiHarness, type ApiHarness } from '../test/api-harness.js';
import { packCli } from '../scripts/pack-cli.js';

const db = useTestDatabase();
let dir = '';
let h: ApiHarness;
let server: ServerType | undefined;
let base = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fc-pack-'));
  h = await apiHarness(db.database);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  const s = server;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function installed(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A clean environment: PATH (for `node`) and HOME only, so nothing of the repository leaks in.
    execFile(
      join(dir, 'prefix', 'node_modules', '.bin', 'flowctl'),
      args,
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('flowctl package', () => {
  it('packs into a dependency-free tarball that installs offline and talks to the API', async () => {
    const tarball = await packCli(dir);
    expect(tarball).toMatch(/flowctl-\d+\.\d+\.\d+\.tgz$/);
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--prefix', join(dir, 'prefix'), tarball], { stdio: 'ignore' });

    const version = await installed(['--version'], {});
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    const env = { FLOWCTL_SERVER: base, FLOWCTL_TOKEN: h.tokens.viewer };
    const list = await installed(['release', 'list', '-o', 'json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveProperty('releases');
    // Usage errors and an unauthenticated call keep their documented exit codes in the packaged binary.
    expect((await installed(['no-such-command'], env)).code).toBe(2);
    const denied = await installed(['release', 'list'], { FLOWCTL_SERVER: base, FLOWCTL_TOKEN: 'not-a-token-at-all' });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/UNAUTHENTICATED|401/);
  });
});

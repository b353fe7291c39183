// The compiled build (`npm run build` → build/, what the image runs): plain `node` with TypeScript stripping turned
// off, so a stray .ts import fails here. The API serves /healthz, /livez, /readyz, an authenticated read and the
// pre-bundled UI against the run's Postgres and Temporal; the worker reports started with the pre-built workflow
// bundle (no bundling at start) and stops on SIGTERM; the migration entry finds its SQL and migrates a new database.
// The build is reused when build/.build-inputs matches the sources (scripts/build.ts), else made here once
// (~15 s of tsc on an idle 2-core machine, ~30 s under load).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import postgres from 'postgres';
import { BUILD_DIR, ROOT, build, buildIsFresh } from '../scripts/build.js';
import { freePort } from '../dev/temporal-dev-server.js';
import { testDatabaseUrl, uniqueName, useTestDatabase } from './harness.js';

const db = useTestDatabase();
const ADMIN_TOKEN = `build-test-${randomBytes(12).toString('hex')}`;
const children: ChildProcess[] = [];
let dataDir: string;

beforeAll(async () => {
  if (!buildIsFresh()) await build();
  dataDir = await mkdtemp(join(tmpdir(), 'fc-build-'));
}, 300_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  /** Resolves with the first JSON log line matching; rejects when the process exits first. */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** `node build/<entry>` with type stripping off (Node 24 would otherwise run a .ts file the build forgot). */
function run(entry: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--no-experimental-strip-types', join(BUILD_DIR, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'info', FC_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let stderr = '';
  let buffered = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const text of parts) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      for (const w of waiters.filter((x) => x.match(line))) w.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitForLog: (match) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`${entry} exited (${code}) first: ${stderr.slice(-2000)}`)));
      }),
  };
}

describe('compiled build', () => {
  it('has the entry points and no TypeScript in build/', () => {
    for (const f of ['api/server.js', 'worker.js', 'dev/migrate-cli.js', 'gitops/git-runner-child.js', 'ui/app.js', 'ui/index.html']) {
      expect(existsSync(join(BUILD_DIR, f)), f).toBe(true);
    }
    expect(readdirSync(join(BUILD_DIR, 'db', 'migrations')).filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(0);
    const ts = readdirSync(BUILD_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(ts).toEqual([]);
    expect(readdirSync(join(BUILD_DIR, 'dist')).filter((f) => /^workflow-bundle-[0-9a-f]{16}\.js$/.test(f))).toHaveLength(1);
    // And its tracing variant (OTEL_EXPORTER_OTLP_ENDPOINT set: worker.ts picks the -traced bundle).
    expect(readdirSync(join(BUILD_DIR, 'dist')).filter((f) => /^workflow-bundle-[0-9a-f]{16}-traced\.js$/.test(f))).toHaveLength(1);
  });

  it('forks the compiled git runner child (git-runner-child.js, not .ts)', () => {
    const script = [
      `import { runGit, gitRunnerProcess } from ${JSON.stringify(join(BUILD_DIR, 'gitops', 'git-runner.js'))};`,
      `const r = await runGit(['--version'], { cwd: process.cwd(), env: { PATH: process.env.PATH }, timeout: 10000, maxBuffer: 1e6 });`,
      'console.log(JSON.stringify({ code: r.code, out: r.stdout, child: gitRunnerProcess()?.spawnargs.at(-1) }));',
      'process.exit(0);',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--no-experimental-strip-types', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { code: number; out: string; child: string };
    expect(result).toMatchObject({ code: 0, child: join(BUILD_DIR, 'gitops', 'git-runner-child.js') });
    expect(result.out).toMatch(/^git version/);
  });

  it('serves the API: probes, an authenticated read and the pre-bundled UI', async () => {
    const port = await freePort();
    const api = run('api/server.js', {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      HOST: '127.0.0.1',
      PORT: String(port),
      FLOW_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    await api.waitForLog((l) => l.msg === 'API listening');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/v1/tokens/self`)).status).toBe(401);
    const self = await fetch(`${base}/v1/tokens/self`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(self.status).toBe(200);
    expect(await self.json()).toMatchObject({ role: 'admin' });
    const app = await fetch(`${base}/ui/app.js`);
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toMatch(/javascript/);
    expect((await app.text()).length).toBeGreaterThan(1000);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });

  it('runs the worker on the pre-built workflow bundle until SIGTERM, answering its probes', async () => {
    const httpPort = await freePort();
    const worker = run('worker.js', {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: uniqueName('compiled-worker'),
      MONITOR_START: 'off',
      PROMOTION_ORPHAN_SWEEP_SECONDS: '0',
      WORKER_HTTP_PORT: String(httpPort),
      NOTIFY_DISPATCH: 'off',
    });
    await worker.waitForLog((l) => l.msg === 'worker started');
    // The probes the Helm chart uses.
    expect((await fetch(`http://127.0.0.1:${httpPort}/livez`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(200);
    // The bundle of build/dist matched the compiled workflows: no webpack in the worker.
    expect(worker.lines.some((l) => String(l.msg).startsWith('no pre-built workflow bundle'))).toBe(false);
    worker.child.kill('SIGTERM');
    await worker.waitForLog((l) => l.msg === 'worker stopped');
    expect(await worker.exited).toBe(0);
  });

  it('migrates a new database with the compiled migration entry', async () => {
    const name = `fc_t_${process.ppid}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => undefined });
    try {
      const migrate = run('dev/migrate-cli.js', { MIGRATION_DATABASE_URL: testDatabaseUrl(name) });
      await migrate.waitForLog((l) => l.msg === 'migrations applied');
      expect(await migrate.exited).toBe(0);
      const sql = postgres(testDatabaseUrl(name), { max: 1, onnotice: () => undefined });
      try {
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
        expect(row?.n).toBe(readdirSync(join(BUILD_DIR, 'db', 'migrations')).filter((f) => f.endsWith('.sql')).length);
      } finally {
        await sql.end();
      }
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});

// flowctl end to end: the real CLI (cli/flowctl.mjs) as a child process against a real API server on loopback,
// this run's Postgres and Temporal, a real worker, a bare GitOps repository and the simulator. `promote --wait`
// follows the event stream: plain lines when not a terminal, redrawn step lines under a pseudo-terminal
// (util-linux `script`); exit codes distinguish success, parking, rule refusals and usage errors.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { useTestDatabase } from '../test/harness.js';
import { createPromotionFixture, type PromotionFixture } from '../test/promotion-fixture.js';
import { EXIT } from './exit-codes.js';

const ESC = String.fromCharCode(27);
const BIN = fileURLToPath(new URL('./flowctl.mjs', import.meta.url));
const STEP_ORDER = ['render-values', 'git-commit-push', 'argocd-refresh', 'argocd-wait', 'verify-images', 'record'];

const db = useTestDatabase();
let f: PromotionFixture;
let server: ServerType | undefined;
let base = '';
let home = '';

beforeAll(async () => {
  f = await createPromotionFixture(db.database, { envs: [{ key: 'dev' }, { key: 'staging', upstream: ['dev'] }] });
  await f.startWorker();
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: f.h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  home = await mkdtemp(join(tmpdir(), 'fc-flowctl-'));
});

afterAll(async () => {
  if (server) {
    const s = server;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      (s as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  }
  await f?.stopWorker();
  await f?.close();
  await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs flowctl with its config in this test's home (the login) plus `env`. */
function flowctl(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Under a pseudo-terminal (`script`), so stdout is a TTY. */
function flowctlTty(args: string[], env: Record<string, string>): Promise<Run> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-q', '-e', '-c', `stty cols 120; ${command}`, '/dev/null'],
      { env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TERM: 'xterm', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The positions of the step names in the output, in STEP_ORDER: they must increase. */
function inOrder(text: string): boolean {
  const at = STEP_ORDER.map((s) => text.indexOf(s));
  return at.every((p, i) => p >= 0 && (i === 0 || p > (at[i - 1] as number)));
}

describe('flowctl', () => {
  it('login stores the server and token 0600; usage errors exit 2, unknown login exits 2', async () => {
    expect((await flowctl(['promote'])).code).toBe(EXIT.usage);
    const nologin = await flowctl(['env', 'list']);
    expect(nologin.code).toBe(EXIT.usage);
    expect(nologin.stderr).toMatch(/not logged in/);
    const login = await flowctl(['login', '--server', base, '--token', f.tokens.promoter]);
    expect(login.code, login.stderr).toBe(0);
    const file = join(home, 'config', 'flowctl', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ server: base, token: f.tokens.promoter });
    const list = await flowctl(['env', 'list', '-o', 'json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).environments.map((e: { name: string }) => e.name)).toEqual([f.env.dev, f.env.staging]);
  });

  it('release create from the template, promote --wait to success (plain lines in step order), then rules refuse with exit 5', async () => {
    const created = await flowctl(['release', 'create', '1.0.0', '--from-template', '--set', 'RELEASE_TAG=3.1.0', '-o', 'json'], {
      FLOWCTL_TOKEN: f.h.tokens.releaser,
    });
    expect(created.code, created.stderr).toBe(0);
    const releaseId = JSON.parse(created.stdout).releaseId as string;

    const run = await flowctl(['promote', releaseId, f.env.dev as string, '--wait', '--reason', 'cli test']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(EXIT.ok);
    expect(inOrder(run.stdout), run.stdout).toBe(true);
    expect(run.stdout).toMatch(/^\d{4}-\d{2}-\d{2}T\S+ {2}record {2}succeeded/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('succeeded');
    // The outcome comes after the last step, not before it.
    expect(run.stdout.indexOf('  record  succeeded')).toBeLessThan(run.stdout.search(/deployment \d+ {2}succeeded/));

    const again = await flowctl(['promote', releaseId, f.env.dev as string]);
    expect(again.code).toBe(EXIT.rejected);
    expect(again.stderr).toMatch(/ALREADY_CURRENT/);

    // A Degraded rollout parks: exit 4 with the command that retries; after healing, the retry finishes it.
    f.sim.faults.degradeWorkload(f.env.staging as string, 'api');
    const parked = await flowctl(['promote', releaseId, f.env.staging as string, '--wait', '-o', 'json']);
    expect(parked.code, parked.stderr).toBe(EXIT.parked);
    const state = JSON.parse(parked.stdout) as { deploymentId: number; status: string; exitCode: number };
    expect(state).toMatchObject({ status: 'awaiting_operator', exitCode: EXIT.parked });
    f.sim.faults.clearWorkload(f.env.staging as string, 'api');
    const retried = await flowctl(['retry', f.env.staging as string, String(state.deploymentId), '--comment', 'healed']);
    expect(retried.code, retried.stderr).toBe(0);
    await f.waitFor('staging', state.deploymentId, ['succeeded']);
    const history = await flowctl(['history', f.env.staging as string]);
    expect(history.stdout).toMatch(new RegExp(`^\\s*${state.deploymentId}\\s+succeeded`, 'm'));
  });

  it('promote --wait on a terminal redraws one line per step in place, in order', async () => {
    const releaseId = await f.createRelease('3.2.0');
    const run = await flowctlTty(['promote', releaseId, f.env.dev as string, '--wait'], {
      FLOWCTL_SERVER: base,
      FLOWCTL_TOKEN: f.tokens.promoter,
    });
    expect(run.code, run.stdout).toBe(EXIT.ok);
    // Cursor-up + clear-line sequences: the block is redrawn, not appended.
    expect(run.stdout).toMatch(new RegExp(`${ESC}\\[\\d+A`));
    expect(run.stdout).toContain(`${ESC}[2K`);
    const last = run.stdout.slice(run.stdout.lastIndexOf(`${ESC}[2K✓ render-values`));
    expect(inOrder(last), last).toBe(true);
    expect(last).toMatch(/✓ record/);
  });

  it("env auto shows an environment's auto-promotion; --hold needs a reason and an environment that auto-promotes", async () => {
    const show = await flowctl(['env', 'auto', f.env.staging as string]);
    expect(show.code, show.stderr).toBe(EXIT.ok);
    expect(show.stdout).toContain('no auto-promotion');
    expect((await flowctl(['env', 'auto', f.env.staging as string, '--hold'])).code).toBe(EXIT.usage);
    const refused = await flowctl(['env', 'auto', f.env.staging as string, '--hold', '--reason', 'demo']);
    expect(refused.code).toBe(EXIT.failed);
    expect(refused.stderr).toContain('does not auto-promote');
  });
});

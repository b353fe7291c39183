// Configuration: defaults, and a missing or malformed variable fails start-up with a message naming it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, targetPolicyOf } from './config.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_ADDRESS', 'not an address'],
    ['LOG_LEVEL', 'loud'],
    ['FLOW_ADMIN_TOKEN', 'short'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).problems[0]).toMatch(new RegExp(`^${name}[ =]`));
  });

  it('never echoes a token value in its message', () => {
    expect(() => loadConfig({ FLOW_ADMIN_TOKEN: 'sekrit' })).toThrow(/FLOW_ADMIN_TOKEN="\*\*\*"/);
  });

  it('never prints the password of a malformed DATABASE_URL (audit 20d)', () => {
    for (const url of ['mysql://flow:S3cretPw@db:5432/flow', 'postgres://flow:S3cret Pw@db/flow', 'postgres:flow:S3cretPw@db']) {
      let problems: string[] = [];
      try {
        loadConfig({ DATABASE_URL: url });
      } catch (err) {
        problems = (err as ConfigError).problems;
      }
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^DATABASE_URL="[^"]*\*\*\*@/);
      expect(problems[0]).not.toMatch(/S3cret/);
    }
  });

  it('secret-reference and host policy: defaults, parsing and validation', () => {
    expect(targetPolicyOf(loadConfig({}))).toEqual({ secretEnvPrefix: 'FC_SECRET_', secretsDir: '/run/secrets', allowedHosts: [] });
    const c = loadConfig({
      FC_SECRET_ENV_PREFIX: 'ACME_',
      FC_SECRETS_DIR: '/etc/fc/secrets/',
      FC_ALLOWED_HOSTS: 'argocd.acme.io, *.k8s.acme.io:6443,git.acme.io',
    });
    expect(targetPolicyOf(c)).toEqual({
      secretEnvPrefix: 'ACME_',
      secretsDir: '/etc/fc/secrets',
      allowedHosts: ['argocd.acme.io', '*.k8s.acme.io:6443', 'git.acme.io'],
    });
    for (const [name, value] of [
      ['FC_SECRET_ENV_PREFIX', 'BAD-PREFIX'],
      ['FC_SECRETS_DIR', 'relative/secrets'],
      ['FC_SECRETS_DIR', '/'],
      ['FC_SECRETS_DIR', '/run/../etc'],
      ['FC_ALLOWED_HOSTS', 'https://argocd.acme.io'],
      ['FC_ALLOWED_HOSTS', 'user@host'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(`${name}=`));
    }
  });

  it('reports every problem at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });
});

describe('start-up with bad configuration', () => {
  const run = (script: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('npm start exits 2 naming a malformed variable', () => {
    const res = run('dev/start.ts', { PORT: 'not-a-port' });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/PORT="not-a-port"/);
  });

  it('the API server exits naming a missing DATABASE_URL', () => {
    const res = run('api/server.ts', { DATABASE_URL: '' });
    expect(res.status).toBe(2);
    expect(res.stdout + res.stderr).toMatch(/DATABASE_URL is missing/);
  });

  it('the worker exits naming a missing DATABASE_URL', () => {
    const res = run('worker.ts', { DATABASE_URL: '' });
    expect(res.status).toBe(2);
    expect(res.stdout + res.stderr).toMatch(/DATABASE_URL is missing/);
  });
});

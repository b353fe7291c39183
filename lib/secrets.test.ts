// Secret references are restricted (security audit finding 6): env: only with the configured prefix, file:
// only regular files ≤ 64 KiB whose real path stays under the secrets directory; nothing blocks, and no
// message carries a value or a resolved path.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, MAX_SECRET_FILE_BYTES, SecretError, type SecretResolver } from './secrets.js';

let root: string;
let dir: string;
let outside: string;
let secrets: SecretResolver;

const ENV = {
  FC_SECRET_ARGO_TOKEN: 'argo-token-value',
  FC_SECRET_EMPTY: '',
  DATABASE_URL: 'postgres://app:db-password@db/flow',
  FLOW_ADMIN_TOKEN: 'admin-token-value-123456',
};

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'fc-secrets-')));
  dir = path.join(root, 'secrets');
  outside = path.join(root, 'outside');
  await mkdir(path.join(dir, 'nested'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(dir, 'kube-token'), 'kube-token-value\n');
  await writeFile(path.join(dir, 'nested', 'git-token'), 'git-token-value');
  await writeFile(path.join(dir, 'empty'), '\n');
  await writeFile(path.join(dir, 'exactly-max'), 'k'.repeat(MAX_SECRET_FILE_BYTES));
  await writeFile(path.join(dir, 'too-large'), 'x'.repeat(MAX_SECRET_FILE_BYTES + 1));
  await writeFile(path.join(outside, 'host-secret'), 'host-secret-value');
  // Kubernetes mounts secrets as symlinks into a timestamped folder of the same directory: allowed.
  await mkdir(path.join(dir, '..2026_12_01'));
  await writeFile(path.join(dir, '..2026_12_01', 'rotated'), 'rotated-value');
  await symlink('..2026_12_01/rotated', path.join(dir, 'rotated'));
  await symlink(path.join(outside, 'host-secret'), path.join(dir, 'escape'));
  await symlink(outside, path.join(dir, 'escape-dir'));
  await symlink('/dev/zero', path.join(dir, 'zero'));
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  secrets = createSecretResolver({ secretsDir: dir, env: ENV });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const resolveOutcome = (ref: string): { value: string } | { error: string } => {
  try {
    return { value: secrets.resolve(ref) };
  } catch (err) {
    expect(err).toBeInstanceOf(SecretError);
    return { error: (err as Error).message };
  }
};

describe('createSecretResolver', () => {
  it.each<[string, () => string, string | RegExp]>([
    ['env: with the prefix', () => 'env:FC_SECRET_ARGO_TOKEN', 'argo-token-value'],
    ['file: under the secrets directory (trimmed)', () => `file:${dir}/kube-token`, 'kube-token-value'],
    ['file: in a sub-directory', () => `file:${dir}/nested/git-token`, 'git-token-value'],
    ['file: through a symlink that stays inside (Kubernetes ..data layout)', () => `file:${dir}/rotated`, 'rotated-value'],
    ['file: of exactly 64 KiB', () => `file:${dir}/exactly-max`, 'k'.repeat(MAX_SECRET_FILE_BYTES)],
  ])('resolves %s', (_name, ref, expected) => {
    expect(resolveOutcome(ref())).toEqual({ value: expected });
  });

  it.each<[string, () => string, RegExp]>([
    ['env: without the prefix (DATABASE_URL)', () => 'env:DATABASE_URL', /starting with FC_SECRET_/],
    ['env: without the prefix (FLOW_ADMIN_TOKEN)', () => 'env:FLOW_ADMIN_TOKEN', /starting with FC_SECRET_/],
    ['env: the bare prefix', () => 'env:FC_SECRET_', /starting with FC_SECRET_/],
    ['env: a prefixed variable that is not set', () => 'env:FC_SECRET_MISSING', /env:FC_SECRET_MISSING is not set/],
    ['env: a prefixed variable that is empty', () => 'env:FC_SECRET_EMPTY', /is not set/],
    ['file: outside the secrets directory', () => `file:${outside}/host-secret`, /under .* \(FC_SECRETS_DIR\)/],
    ['file: /proc/self/environ', () => 'file:/proc/self/environ', /FC_SECRETS_DIR/],
    ['file: traversal with ..', () => `file:${dir}/../outside/host-secret`, /must not contain "\.\."/],
    ['file: a relative path', () => 'file:secrets/kube-token', /absolute path/],
    ['file: a symlink escaping the directory', () => `file:${dir}/escape`, /resolves outside the secrets directory/],
    ['file: through a symlinked directory escaping it', () => `file:${dir}/escape-dir/host-secret`, /resolves outside/],
    ['file: a symlink to a device (/dev/zero)', () => `file:${dir}/zero`, /resolves outside/],
    ['file: a FIFO (must not block)', () => `file:${dir}/fifo`, /is not a regular file/],
    ['file: a directory', () => `file:${dir}/nested`, /is not a regular file/],
    ['file: larger than 64 KiB', () => `file:${dir}/too-large`, /larger than 65536 bytes/],
    ['file: missing', () => `file:${dir}/nope`, /cannot be read: ENOENT/],
    ['file: empty after trimming', () => `file:${dir}/empty`, /is empty/],
    ['a literal value', () => 'hunter2-literal-secret', /env:NAME or file:/],
  ])('refuses %s', (_name, ref, message) => {
    const outcome = resolveOutcome(ref());
    expect(outcome).toHaveProperty('error');
    const text = (outcome as { error: string }).error;
    expect(text).toMatch(message);
    // Never a value, never the real path a symlink points at, never a refused literal.
    for (const leak of ['db-password', 'admin-token-value', 'host-secret-value', outside, 'hunter2']) expect(text).not.toContain(leak);
  });

  it('honours a configured prefix', () => {
    const custom = createSecretResolver({ secretEnvPrefix: 'ACME_', secretsDir: dir, env: { ACME_TOKEN: 'a', FC_SECRET_X: 'b' } });
    expect(custom.resolve('env:ACME_TOKEN')).toBe('a');
    expect(() => custom.resolve('env:FC_SECRET_X')).toThrow(/starting with ACME_/);
  });

  it('defaults to FC_SECRET_ over process.env and /run/secrets', () => {
    const defaults = createSecretResolver();
    expect(() => defaults.resolve('env:PATH')).toThrow(/starting with FC_SECRET_/);
    expect(() => defaults.resolve(`file:${dir}/kube-token`)).toThrow(/under \/run\/secrets/);
  });
});

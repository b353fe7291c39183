// Git credentials of a promotion step (security audit findings 7 and 20d): an SSH key given by `env:`
// reference reaches ssh only as a 0600 temporary file that is deleted with the workspace, its content never
// appears in any message, and git/ssh children do not inherit the process's secrets. Real git, with a
// stand-in `ssh` on PATH that records what it was given and refuses the key like a real server would.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { remoteOf } from './gitops-target.js';
import { toFailure, type PromotionContext } from './promotion-context.js';
import type { ActivityDeps } from './deps.js';
import { GitAuthError, GitPermanentError } from '../gitops/errors.js';
import { openWorkspace } from '../gitops/workspace.js';
import { createSecretResolver } from '../lib/secrets.js';

const KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'KEYMATERIALMARKER0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR',
  '-----END OPENSSH PRIVATE KEY-----',
].join('\n');
const MARKERS = ['KEYMATERIALMARKER', 'b3BlbnNzaC1rZXktdjEA', 'BEGIN OPENSSH PRIVATE KEY'];

let root: string;
let record: string;
const savedPath = process.env.PATH;
const savedAdmin = process.env.FLOW_ADMIN_TOKEN;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fc-sshkey-'));
  const bin = path.join(root, 'bin');
  record = path.join(root, 'ssh-record');
  await mkdir(bin);
  // Records the identity file's mode and content and its own environment, then refuses like sshd does.
  await writeFile(
    path.join(bin, 'ssh'),
    [
      '#!/bin/sh',
      'key=""',
      'while [ $# -gt 0 ]; do if [ "$1" = "-i" ]; then key="$2"; shift; fi; shift; done',
      `{ echo "mode=$(stat -c %a "$key")"; echo "--key--"; cat "$key"; echo; echo "--env--"; env; } > '${record}'`,
      'echo "Load key \\"$key\\": invalid format" >&2',
      'echo "git@127.0.0.1: Permission denied (publickey)." >&2',
      'exit 255',
      '',
    ].join('\n'),
  );
  await chmod(path.join(bin, 'ssh'), 0o755);
  process.env.PATH = `${bin}:${savedPath ?? ''}`;
  process.env.FLOW_ADMIN_TOKEN = 'admin-token-must-not-reach-git-children';
});

afterAll(async () => {
  process.env.PATH = savedPath;
  if (savedAdmin === undefined) delete process.env.FLOW_ADMIN_TOKEN;
  else process.env.FLOW_ADMIN_TOKEN = savedAdmin;
  await rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  await rm(record, { force: true });
});

const context = (privateKeyRef: string, repoUrl = 'ssh://git@127.0.0.1:1/org/gitops.git') =>
  ({
    environment: { gitops: { repoUrl, branch: 'main', credentials: { type: 'ssh-key', privateKeyRef } } },
  }) as unknown as PromotionContext;

const depsWith = (env: Record<string, string>, workDir: string, allowedHosts?: string[]) =>
  ({ secrets: createSecretResolver({ env }), gitWorkDir: workDir, ...(allowedHosts ? { allowedHosts } : {}) }) as unknown as ActivityDeps;

const noKeyIn = (text: string) => {
  for (const m of MARKERS) expect(text).not.toContain(m);
};

describe('SSH key from an env: reference', () => {
  it('reaches ssh as a 0600 temporary file, deleted afterwards; no message and no child environment carries it', async () => {
    const workDir = path.join(root, 'work-ok');
    const remote = remoteOf(depsWith({ FC_SECRET_GIT_SSH_KEY: KEY }, workDir), context('env:FC_SECRET_GIT_SSH_KEY'));
    const ws = await openWorkspace(remote);
    let err: unknown;
    try {
      await ws.fetch(1);
    } catch (e) {
      err = e;
    } finally {
      await ws.dispose();
    }
    expect(err).toBeInstanceOf(GitAuthError);
    const message = `${(err as Error).message} ${JSON.stringify(err)} ${toFailure(err).message}`;
    noKeyIn(message);

    const seen = await readFile(record, 'utf8');
    expect(seen).toMatch(/^mode=600$/m);
    expect(seen.split('--key--')[1]?.split('--env--')[0]?.trim()).toBe(KEY);
    const childEnv = seen.split('--env--')[1] ?? '';
    noKeyIn(childEnv);
    expect(childEnv).not.toContain('admin-token-must-not-reach-git-children');
    expect(childEnv).not.toMatch(/^(DATABASE_URL|FLOW_ADMIN_TOKEN|FC_SECRET_[A-Z_]*)=/m);
    // The key file went with the workspace.
    expect(await readdir(workDir)).toEqual([]);
  });

  it('an unusable key reference fails without echoing the key', async () => {
    const workDir = path.join(root, 'work-bad');
    // A key pasted where a reference belongs never resolves, and is not repeated.
    expect(() => remoteOf(depsWith({}, workDir), context(KEY))).toThrow(/secret reference refused/);
    try {
      remoteOf(depsWith({}, workDir), context(KEY));
    } catch (e) {
      noKeyIn((e as Error).message);
    }
    expect(() => remoteOf(depsWith({}, workDir), context('env:FC_SECRET_MISSING_KEY'))).toThrow(/FC_SECRET_MISSING_KEY is not set/);
  });

  it('a Git host outside FC_ALLOWED_HOSTS is refused before anything is sent', async () => {
    const workDir = path.join(root, 'work-pinned');
    const remote = remoteOf(depsWith({ FC_SECRET_GIT_SSH_KEY: KEY }, workDir, ['git.example.com']), context('env:FC_SECRET_GIT_SSH_KEY'));
    const err = await openWorkspace(remote).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitPermanentError);
    expect((err as Error).message).toMatch(/host is not in FC_ALLOWED_HOSTS/);
    await expect(readFile(record, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

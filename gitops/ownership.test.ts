// Issue #8 / security audit findings 3, 4, 5, 9, 20d, 20e on real bare repositories: which commit is "ours"
// (installation id + environment + deployment + release trailers AND the rendered tree), compensation of an
// abort that never reverts a foreign commit, symlinks in the clone, the git children's environment and the
// bound on git's output.
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../domain/descriptor.js';
import { GitPermanentError, type GitError } from './errors.js';
import { compensatePush, findOwnCommit } from './compensate.js';
import { environmentPathMatcher, renderEnvironment, ValuesRenderError } from './render.js';
import { pushRelease, readFileAt, readFilesAt, revertCommit, type PushReleaseInput } from './repo.js';
import { commitsOn, createBareRepo, fileAt, git, tempDir, writeDirect } from '../test/git-fixtures.js';

const AUTHOR = { name: 'Ada Promoter', email: 'ada@example.com' };
const DIGEST = `sha256:${'d'.repeat(64)}`;
const INSTALLATION = '11111111-1111-4111-8111-111111111111';
const OTHER_INSTALLATION = '22222222-2222-4222-8222-222222222222';
const K = {
  installation: 'Flow-Controller-Installation',
  environment: 'Flow-Controller-Environment',
  deployment: 'Flow-Controller-Deployment',
  release: 'Flow-Controller-Release',
};

let root: string;
let workDir: string;
beforeAll(async () => {
  root = await tempDir('fc-gitops-own-');
  workDir = path.join(root, 'work');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let seq = 0;
const repo = (files: Record<string, string> = { 'README.md': '# environments\n' }) => createBareRepo(root, `o${++seq}`, files);
const releaseOf = (tag: string) => `00000000-0000-4000-8000-${tag.replaceAll('.', '').padStart(12, '0')}`;

function descriptor(tag: string): Descriptor {
  return { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag } } } } } };
}

function renderer(env: string, tag: string): PushReleaseInput['render'] {
  return (readFile) =>
    renderEnvironment({
      environment: env,
      descriptor: descriptor(tag),
      releaseId: releaseOf(tag),
      descriptorDigest: DIGEST,
      productVersion: tag,
      readFile,
    }).files;
}

function trailers(env: string, tag: string, deployment: number, installation = INSTALLATION): Record<string, string> {
  return { [K.installation]: installation, [K.environment]: env, [K.deployment]: String(deployment), [K.release]: releaseOf(tag) };
}

function promotion(bare: string, env: string, tag: string, deployment: number, over: Partial<PushReleaseInput> = {}): PushReleaseInput {
  return {
    repoUrl: bare,
    branch: 'main',
    workDir,
    render: renderer(env, tag),
    message: { subject: `Promote ${env} to ${tag}` },
    trailers: trailers(env, tag, deployment),
    idempotencyTrailer: K.deployment,
    author: AUTHOR,
    ...over,
  };
}

/** What the revert-push activity passes for deployment `deployment` of `env`, whose previous release is `previous`. */
function compensation(bare: string, env: string, tag: string, deployment: number, previous: string | null, sha?: string) {
  return {
    repoUrl: bare,
    branch: 'main',
    workDir,
    author: AUTHOR,
    ...(sha ? { sha } : {}),
    own: { trailers: trailers(env, tag, deployment), ownsPath: environmentPathMatcher(undefined, env) },
    revertMessage: (sha: string) => ({ subject: `Abort deployment ${deployment}: restore ${env}`, body: `This reverts commit ${sha}.` }),
    previous:
      previous === null
        ? null
        : {
            render: renderer(env, previous),
            trailers: { ...trailers(env, previous, deployment), 'Flow-Controller-Restores': releaseOf(previous) },
            message: { subject: `Abort deployment ${deployment}: restore ${env} to ${previous}` },
          },
  };
}

async function caught(p: Promise<unknown>): Promise<GitError> {
  try {
    await p;
  } catch (err) {
    return err as GitError;
  }
  throw new Error('expected a rejection');
}

/** Commits a symbolic link `link` → `target` on main (another writer with push rights). */
async function commitSymlink(bare: string, link: string, target: string): Promise<void> {
  const work = await tempDir('fc-gitops-link-');
  try {
    await git(work, ['clone', '--quiet', bare, '.']);
    await mkdir(path.dirname(path.join(work, link)), { recursive: true });
    await symlink(target, path.join(work, link));
    await git(work, ['add', '--all']);
    await git(work, ['commit', '--quiet', '-m', 'a link']);
    await git(work, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const PROD_CORE = 'environments/prod/core/values.yaml';
const DEV_CORE = 'environments/dev/core/values.yaml';

describe('push idempotency trusts no trailer alone (finding 4)', () => {
  it('a foreign commit with a forged deployment trailer is not our commit: we push our own', async () => {
    const bare = await repo();
    const forged = await writeDirect(bare, 'main', { [DEV_CORE]: 'replicas: 0\n' }, `sabotage\n\n${K.deployment}: 7\n`);
    const r = await pushRelease(promotion(bare, 'prod', '1.0.0', 7));
    expect(r.status).toBe('pushed');
    expect(r.sha).not.toBe(forged);
    expect(r.ownCommit).toBe(r.sha);
  });

  it("another installation's commit with the same ids and even the same content is not ours", async () => {
    const bare = await repo();
    const other = await pushRelease(promotion(bare, 'prod', '1.0.0', 7, { trailers: trailers('prod', '1.0.0', 7, OTHER_INSTALLATION) }));
    expect(other.status).toBe('pushed');
    const r = await pushRelease(promotion(bare, 'prod', '1.0.0', 7));
    expect(r.status).not.toBe('skipped-existing-commit');
    expect(r.ownCommit).not.toBe(other.sha);
  });

  it('all trailers copied but another tree (or other files touched) is not ours either', async () => {
    const bare = await repo();
    const msg = `copied\n\n${Object.entries(trailers('prod', '1.0.0', 7))
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n`;
    await writeDirect(bare, 'main', { [PROD_CORE]: 'replicas: 0\n', [DEV_CORE]: 'x: 1\n' }, msg);
    const r = await pushRelease(promotion(bare, 'prod', '1.0.0', 7));
    expect(r.status).toBe('pushed');
    // Our own commit, on a retry after a crash, is found (and only it).
    const again = await pushRelease(promotion(bare, 'prod', '1.0.0', 7));
    expect(again).toMatchObject({ status: 'skipped-existing-commit', sha: r.sha, ownCommit: r.sha });
  });
});

describe('abort compensates only what this deployment did (findings 3 and 9)', () => {
  it('no-change push: sha is the head, but there is no own commit, and compensation never touches dev', async () => {
    const bare = await repo();
    await pushRelease(promotion(bare, 'prod', '2.0.0', 1)); // prod D1 pushes R2
    const dev = await pushRelease(promotion(bare, 'dev', '3.0.0', 2)); // dev D2 pushes R3
    const d3 = await pushRelease(promotion(bare, 'prod', '2.0.0', 3)); // prod D3 with R2 again
    expect(d3).toMatchObject({ status: 'skipped-no-change', sha: dev.sha, ownCommit: null });
    const devBefore = await fileAt(bare, 'main', DEV_CORE);

    // The old input shape hands HEAD (dev's commit) over as "the sha": it is not reverted.
    const none = await compensatePush(compensation(bare, 'prod', '2.0.0', 3, null, d3.sha));
    expect(none).toMatchObject({ status: 'nothing-to-revert', sha: null });
    expect((await commitsOn(bare))[0]?.sha).toBe(dev.sha);

    // With a previous release, compensation renders and pushes it — for prod's files only.
    const restored = await compensatePush(compensation(bare, 'prod', '2.0.0', 3, '1.0.0', d3.sha));
    expect(restored.status).toBe('restored-previous');
    expect(await fileAt(bare, restored.sha ?? '', PROD_CORE)).toContain('tag: "1.0.0"');
    expect(await fileAt(bare, 'main', DEV_CORE)).toBe(devBefore);
    // Idempotent: a retried compensation finds its restore commit.
    expect(await compensatePush(compensation(bare, 'prod', '2.0.0', 3, '1.0.0', d3.sha))).toMatchObject({
      status: 'restored-previous',
      sha: restored.sha,
    });
    expect(await commitsOn(bare)).toHaveLength(4); // initial, D1, D2, the restore
  });

  it("revertCommit refuses a commit that is not the deployment's own (the engine-level guard)", async () => {
    const bare = await repo();
    const dev = await pushRelease(promotion(bare, 'dev', '3.0.0', 2));
    const err = await caught(
      revertCommit({
        repoUrl: bare,
        branch: 'main',
        workDir,
        sha: dev.sha,
        trailers: trailers('prod', '2.0.0', 3),
        idempotencyTrailer: K.deployment,
        author: AUTHOR,
        owner: { trailers: trailers('prod', '2.0.0', 3), ownsPath: environmentPathMatcher(undefined, 'prod') },
      }),
    );
    expect(err).toBeInstanceOf(GitPermanentError);
    expect((await commitsOn(bare))[0]?.sha).toBe(dev.sha);
  });

  it('a push whose activity then failed (sha never returned) is found and reverted, idempotently', async () => {
    const bare = await repo();
    await pushRelease(promotion(bare, 'prod', '1.0.0', 1));
    const before = await fileAt(bare, 'main', PROD_CORE);
    const lost = await pushRelease(promotion(bare, 'prod', '2.0.0', 4)); // the result is "lost" with the activity
    await pushRelease(promotion(bare, 'dev', '3.0.0', 5));
    expect(await findOwnCommit({ ...compensation(bare, 'prod', '2.0.0', 4, '1.0.0').own, repoUrl: bare, branch: 'main', workDir })).toBe(
      lost.sha,
    );
    const r = await compensatePush(compensation(bare, 'prod', '2.0.0', 4, '1.0.0'));
    expect(r.status).toBe('reverted');
    expect(await fileAt(bare, 'main', PROD_CORE)).toBe(before);
    expect(await fileAt(bare, 'main', DEV_CORE)).toContain('3.0.0');
    expect(await compensatePush(compensation(bare, 'prod', '2.0.0', 4, '1.0.0'))).toMatchObject({ status: 'already-reverted', sha: r.sha });
  });

  it('a commit with our trailers that touches another environment is refused, never reverted', async () => {
    const bare = await repo();
    const msg = `mixed\n\n${Object.entries(trailers('prod', '2.0.0', 6))
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n`;
    const mixed = await writeDirect(bare, 'main', { [PROD_CORE]: 'a: 1\n', [DEV_CORE]: 'b: 2\n' }, msg);
    const err = await caught(compensatePush(compensation(bare, 'prod', '2.0.0', 6, '1.0.0')));
    expect(err).toBeInstanceOf(GitPermanentError);
    expect(err.message).toMatch(/outside environment prod/);
    expect((await commitsOn(bare))[0]?.sha).toBe(mixed);
  });
});

describe('symlinks in the clone are never followed (finding 5)', () => {
  it('a values file that is a symlink to a file outside the clone: refused, the outside file untouched', async () => {
    const bare = await repo();
    const outside = path.join(root, `victim-${++seq}.yaml`);
    await writeFile(outside, 'kubeconfig: secret-value\n');
    await commitSymlink(bare, PROD_CORE, outside);
    const err = await caught(pushRelease(promotion(bare, 'prod', '1.0.0', 1)));
    expect(err).toBeInstanceOf(GitPermanentError);
    expect(err.message).toMatch(/symbolic link/);
    expect(err.message).not.toContain('secret-value');
    expect(await readFile(outside, 'utf8')).toBe('kubeconfig: secret-value\n');
    expect(await caught(readFilesAt({ repoUrl: bare, branch: 'main', workDir, paths: [PROD_CORE] }))).toBeInstanceOf(GitPermanentError);
  });

  it('a directory on the path that is a symlink: refused, nothing written outside', async () => {
    const bare = await repo();
    const outsideDir = path.join(root, `victim-dir-${++seq}`);
    await mkdir(outsideDir);
    await commitSymlink(bare, 'environments/prod', outsideDir);
    const err = await caught(pushRelease(promotion(bare, 'prod', '1.0.0', 1)));
    expect(err).toBeInstanceOf(GitPermanentError);
    expect(err.message).toMatch(/symbolic link/);
    expect(await caught(readFileAt({ repoUrl: bare, branch: 'main', workDir, path: PROD_CORE }))).toBeInstanceOf(GitPermanentError);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(outsideDir)).toEqual([]);
  });

  it('a values file that is not YAML: the error names the place, never the content', () => {
    const secret = 'aws_secret_access_key = AKIAEXAMPLEKEY/abc';
    let err: unknown;
    try {
      void renderer('prod', '1.0.0')((p) => (p === PROD_CORE ? `[default]\n${secret}\n: : :\n` : undefined));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValuesRenderError);
    expect(String((err as Error).message)).not.toContain('AKIAEXAMPLEKEY');
    expect(String((err as Error).message)).toMatch(/line \d+/);
  });
});

describe('git child processes (findings 20d, 20e)', () => {
  it('git and ssh get a minimal environment, not the worker’s secrets', async () => {
    const out = path.join(root, `env-${++seq}.txt`);
    const saved = { leak: process.env.FC_TEST_LEAK, ssh: process.env.GIT_SSH_COMMAND };
    process.env.FC_TEST_LEAK = 'postgres://user:hunter2@db/flow';
    process.env.GIT_SSH_COMMAND = `env > '${out}'; false`;
    try {
      await caught(readFileAt({ repoUrl: 'ssh://git@example.invalid/r.git', branch: 'main', workDir, path: 'x' }));
    } finally {
      if (saved.leak === undefined) delete process.env.FC_TEST_LEAK;
      else process.env.FC_TEST_LEAK = saved.leak;
      if (saved.ssh === undefined) delete process.env.GIT_SSH_COMMAND;
      else process.env.GIT_SSH_COMMAND = saved.ssh;
    }
    const env = await readFile(out, 'utf8');
    expect(env).toMatch(/^PATH=/m);
    expect(env).not.toContain('hunter2');
    expect(env).not.toMatch(/^FC_TEST_LEAK=/m);
  });

  it('output beyond the bound fails clearly, without the content', async () => {
    const big = `${'filler-'.repeat(40_000)}\n`; // ~280 KB
    const bare = await repo({ 'big.yaml': big });
    const err = await caught(readFileAt({ repoUrl: bare, branch: 'main', workDir, path: 'big.yaml', maxOutputBytes: 64 * 1024 }));
    expect(err).toBeInstanceOf(GitPermanentError);
    expect(err.message).toMatch(/more than 64 KiB/);
    expect(JSON.stringify(err.details)).not.toContain('filler-filler');
    // Under the default bound the same file reads fine.
    expect((await readFileAt({ repoUrl: bare, branch: 'main', workDir, path: 'big.yaml' })).content).toBe(big);
  });
});

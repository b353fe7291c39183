import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../domain/descriptor.js';
import { GitAuthError, GitConflictError, GitPermanentError, GitTransientError, type GitError } from './errors.js';
import { renderEnvironment } from './render.js';
import { pushRelease, readFileAt, readFilesAt, repoCache, revertCommit, type PushReleaseInput } from './repo.js';
import {
  commitsOn,
  createBareRepo,
  fileAt,
  protectRepo,
  startGitHttpServer,
  tempDir,
  writeDirect,
  type GitHttpServer,
} from '../test/git-fixtures.js';
import { COMMITTER } from './workspace.js';

const AUTHOR = { name: 'Ada Promoter', email: 'ada@example.com' };
const DIGEST = `sha256:${'d'.repeat(64)}`;
const ID = 'Flow-Controller-Deployment';

let root: string;
let workDir: string;
beforeAll(async () => {
  root = await tempDir('fc-gitops-test-');
  workDir = path.join(root, 'work');
});
afterAll(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(root, { recursive: true, force: true });
});

let seq = 0;
async function repo(files: Record<string, string> | null = { 'README.md': '# environments\n' }): Promise<string> {
  return createBareRepo(root, `r${++seq}`, files ?? undefined);
}

function descriptor(tag: string): Descriptor {
  return {
    core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag } } } } },
    infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
  };
}

/** A pushRelease input for `env` ← release `tag`, deployment `deployment`, rendering with the real renderer. */
function promotion(repoUrl: string, env: string, tag: string, deployment: number, over: Partial<PushReleaseInput> = {}): PushReleaseInput {
  const releaseId = `00000000-0000-4000-8000-${String(deployment).padStart(12, '0')}`;
  return {
    repoUrl,
    branch: 'main',
    workDir,
    render: (readFile) =>
      renderEnvironment({
        environment: env,
        descriptor: descriptor(tag),
        releaseId,
        descriptorDigest: DIGEST,
        productVersion: tag,
        readFile,
      }).files,
    message: { subject: `Promote release ${releaseId} to ${env}`, body: `Product version ${tag}.` },
    trailers: { [ID]: String(deployment), 'Flow-Controller-Release': releaseId, 'Flow-Controller-Environment': env },
    idempotencyTrailer: ID,
    author: AUTHOR,
    ...over,
  };
}

async function expectWorkDirEmpty(): Promise<void> {
  expect(await readdir(workDir)).toEqual([]);
}

async function caught(p: Promise<unknown>): Promise<GitError> {
  try {
    await p;
  } catch (err) {
    return err as GitError;
  }
  throw new Error('expected a rejection');
}

describe('pushRelease', () => {
  it('pushes one commit with subject, body, trailers, author and the fixed committer', async () => {
    const bare = await repo();
    const result = await pushRelease(promotion(bare, 'staging', '1.0.0', 1));
    expect(result).toMatchObject({ status: 'pushed', attempts: 1 });
    expect(result.changedFiles).toEqual(['environments/staging/core/values.yaml', 'environments/staging/infra/values.yaml']);
    const [head, initial, ...rest] = await commitsOn(bare);
    expect(rest).toEqual([]);
    expect(head?.sha).toBe(result.sha);
    expect(head?.parents).toEqual([initial?.sha]);
    expect(head?.subject).toBe('Promote release 00000000-0000-4000-8000-000000000001 to staging');
    expect(head?.body).toBe(
      'Promote release 00000000-0000-4000-8000-000000000001 to staging\n\nProduct version 1.0.0.\n\n' +
        'Flow-Controller-Deployment: 1\nFlow-Controller-Release: 00000000-0000-4000-8000-000000000001\nFlow-Controller-Environment: staging\n',
    );
    expect(head?.trailers).toEqual({
      'Flow-Controller-Deployment': '1',
      'Flow-Controller-Release': '00000000-0000-4000-8000-000000000001',
      'Flow-Controller-Environment': 'staging',
    });
    expect(head?.author).toBe('Ada Promoter <ada@example.com>');
    expect(head?.committer).toBe(`${COMMITTER.name} <${COMMITTER.email}>`);
    expect(await fileAt(bare, 'main', 'environments/staging/core/values.yaml')).toContain('tag: "1.0.0"');
    expect(await fileAt(bare, 'main', 'README.md')).toBe('# environments\n');
    await expectWorkDirEmpty();
  });

  it('retry after a crash: the same promotion again finds its commit and pushes nothing', async () => {
    const bare = await repo();
    const first = await pushRelease(promotion(bare, 'staging', '1.0.0', 7));
    // Someone else commits on top meanwhile; the retry must still find deployment 7's commit.
    await writeDirect(bare, 'main', { 'environments/prod/notes.txt': 'x\n' }, 'unrelated');
    const again = await pushRelease(promotion(bare, 'staging', '1.0.0', 7));
    expect(again).toEqual({ sha: first.sha, ownCommit: first.sha, status: 'skipped-existing-commit', attempts: 1, changedFiles: [] });
    const commits = await commitsOn(bare);
    expect(commits.filter((c) => c.trailers[ID] === '7')).toHaveLength(1);
    expect(commits).toHaveLength(3);
  });

  it('no change: another promotion of the same content returns the head and pushes nothing', async () => {
    const bare = await repo();
    await pushRelease(promotion(bare, 'dev', '1.0.0', 1));
    const head = (await commitsOn(bare))[0]?.sha;
    // Same release rendered again (deployment 2, same release id and content).
    const r = await pushRelease(promotion(bare, 'dev', '1.0.0', 1, { trailers: { [ID]: '2', 'Flow-Controller-Environment': 'dev' } }));
    expect(r).toEqual({ sha: head, ownCommit: null, status: 'skipped-no-change', attempts: 1, changedFiles: [] });
    // Deleting a file that does not exist is no change either.
    const del = await pushRelease(
      promotion(bare, 'dev', '1.0.0', 1, { trailers: { [ID]: '3' }, render: () => [{ path: 'gone/values.yaml', content: null }] }),
    );
    expect(del).toMatchObject({ sha: head, status: 'skipped-no-change' });
    expect(await commitsOn(bare)).toHaveLength(2);
  });

  it('non-fast-forward: a writer pushing between clone and push → fetch, re-render, retry; both commits once', async () => {
    const bare = await repo();
    let other = '';
    const r = await pushRelease(
      promotion(bare, 'staging', '2.0.0', 3, {
        onBeforePush: async ({ attempt }) => {
          if (attempt === 1)
            other = await writeDirect(bare, 'main', { 'environments/prod/core/values.yaml': 'hand: edit\n' }, 'concurrent writer');
        },
      }),
    );
    expect(r.status).toBe('pushed');
    expect(r.attempts).toBe(2);
    const commits = await commitsOn(bare);
    expect(commits.map((c) => c.subject)).toEqual([expect.stringMatching(/^Promote release/), 'concurrent writer', 'initial layout']);
    expect(commits[0]?.parents).toEqual([other]);
    expect(await fileAt(bare, 'main', 'environments/prod/core/values.yaml')).toBe('hand: edit\n');
    expect(await fileAt(bare, 'main', 'environments/staging/core/values.yaml')).toContain('tag: "2.0.0"');
  });

  it('non-fast-forward where the winner is the same promotion (another worker) → skipped-existing-commit', async () => {
    const bare = await repo();
    let winner = '';
    const r = await pushRelease(
      promotion(bare, 'staging', '2.0.0', 4, {
        onBeforePush: async ({ attempt }) => {
          // A different author makes the winner's commit differ from ours (identical commits would share a SHA).
          // It plays another worker process, so it must not queue behind us in this process's lock.
          const other = { author: { name: 'Other Worker', email: 'w@example.com' }, serializeInProcess: false };
          if (attempt === 1) winner = (await pushRelease(promotion(bare, 'staging', '2.0.0', 4, other))).sha;
        },
      }),
    );
    expect(r).toEqual({ sha: winner, ownCommit: winner, status: 'skipped-existing-commit', attempts: 2, changedFiles: [] });
    expect((await commitsOn(bare)).filter((c) => c.trailers[ID] === '4')).toHaveLength(1);
  });

  it('gives up with a retryable GitConflictError after maxAttempts', async () => {
    const bare = await repo();
    const err = await caught(
      pushRelease(
        promotion(bare, 'qa', '1.0.0', 5, {
          maxAttempts: 2,
          onBeforePush: async ({ attempt }) => void (await writeDirect(bare, 'main', { [`noise-${attempt}`]: 'x' }, `noise ${attempt}`)),
        }),
      ),
    );
    expect(err).toBeInstanceOf(GitConflictError);
    expect(err.name).toBe('GitConflictError');
    expect(err.retryable).toBe(true);
    expect((await commitsOn(bare)).some((c) => c.trailers[ID] === '5')).toBe(false);
    await expectWorkDirEmpty();
  });

  // `racing`: every call behaves like a separate worker process (no in-process queue), so the pushes really
  // collide on the ref and the non-fast-forward retry does the work; `queued`: one worker, calls queued per repo.
  for (const mode of ['racing', 'queued'] as const) {
    it(`ten environments in one repository promoted at the same moment (${mode}): all succeed, one commit each, no lost file`, async () => {
      const bare = await repo();
      const envs = Array.from({ length: 10 }, (_, i) => `env-${i}`);
      const results = await Promise.all(
        envs.map((env, i) => pushRelease(promotion(bare, env, `1.0.${i}`, 100 + i, { serializeInProcess: mode === 'queued' }))),
      );
      expect(results.map((r) => r.status)).toEqual(envs.map(() => 'pushed'));
      if (mode === 'queued') expect(results.map((r) => r.attempts)).toEqual(envs.map(() => 1));
      const commits = await commitsOn(bare);
      expect(commits).toHaveLength(11);
      for (const [i, env] of envs.entries()) {
        const mine = commits.filter((c) => c.trailers['Flow-Controller-Environment'] === env);
        expect(mine.map((c) => c.sha)).toEqual([results[i]?.sha]);
        expect(await fileAt(bare, 'main', `environments/${env}/core/values.yaml`)).toContain(`tag: "1.0.${i}"`);
        expect(await fileAt(bare, 'main', `environments/${env}/infra/values.yaml`)).toContain('tag: "stable"');
      }
      // Linear history: each commit's parent is the next one down.
      for (let i = 0; i < commits.length - 1; i++) expect(commits[i]?.parents).toEqual([commits[i + 1]?.sha]);
      await expectWorkDirEmpty();
    });
  }

  it('the same promotion run twice concurrently (two workers) still makes exactly one commit', async () => {
    const bare = await repo();
    const racing = { serializeInProcess: false };
    const [a, b] = await Promise.all([
      pushRelease(promotion(bare, 'prod', '3.0.0', 9, racing)),
      pushRelease(promotion(bare, 'prod', '3.0.0', 9, { ...racing, author: { name: 'Other Worker', email: 'w@example.com' } })),
    ]);
    expect(a?.sha).toBe(b?.sha);
    expect([a?.status, b?.status].sort()).toEqual(['pushed', 'skipped-existing-commit']);
    expect((await commitsOn(bare)).filter((c) => c.trailers[ID] === '9')).toHaveLength(1);
  });

  it('missing branch is permanent unless createBranch; an empty repository gets its first commit', async () => {
    const bare = await repo(null);
    const err = await caught(pushRelease(promotion(bare, 'dev', '1.0.0', 1)));
    expect(err).toBeInstanceOf(GitPermanentError);
    const r = await pushRelease(promotion(bare, 'dev', '1.0.0', 1, { createBranch: true }));
    expect(r.status).toBe('pushed');
    expect((await commitsOn(bare)).map((c) => c.sha)).toEqual([r.sha]);
  });

  it('rejects unsafe input: paths outside the repository, credentials in the URL, missing idempotency trailer', async () => {
    const bare = await repo();
    const escape = await caught(pushRelease(promotion(bare, 'dev', '1', 1, { render: () => [{ path: '../x', content: 'x' }] })));
    expect(escape).toBeInstanceOf(GitPermanentError);
    const inUrl = await caught(pushRelease(promotion('https://user:s3cr3t-token@example.com/x.git', 'dev', '1', 1)));
    expect(inUrl).toBeInstanceOf(GitPermanentError);
    expect(JSON.stringify({ ...inUrl, message: inUrl.message, stack: inUrl.stack })).not.toContain('s3cr3t-token');
    const noId = await caught(pushRelease(promotion(bare, 'dev', '1', 1, { idempotencyTrailer: 'Nope' })));
    expect(noId).toBeInstanceOf(GitPermanentError);
    await expectWorkDirEmpty();
  });
});

describe('error classification', () => {
  it('repository that does not exist → GitPermanentError (not retryable)', async () => {
    const err = await caught(pushRelease(promotion(path.join(root, 'missing.git'), 'dev', '1', 1)));
    expect(err).toBeInstanceOf(GitPermanentError);
    expect(err.name).toBe('GitPermanentError');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/does not appear to be a git repository/);
  });

  it('a protected branch (pre-receive hook declines) → GitPermanentError naming the reason', async () => {
    const bare = await repo();
    await protectRepo(bare);
    const err = await caught(pushRelease(promotion(bare, 'dev', '1', 1)));
    expect(err).toBeInstanceOf(GitPermanentError);
    expect(err.message).toMatch(/pre-receive hook declined/);
  });

  it('https to a closed port on 127.0.0.1 → GitTransientError (retryable)', async () => {
    const err = await caught(
      pushRelease(
        promotion('https://127.0.0.1:1/envs.git', 'dev', '1', 1, { credentials: { type: 'https-token', token: 'tok-closed-port-1234' } }),
      ),
    );
    expect(err).toBeInstanceOf(GitTransientError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/Failed to connect|Couldn't connect/);
    await expectWorkDirEmpty();
  });

  it('ssh-key credentials: batch mode, a refused connection is transient (no prompt, no hang)', async () => {
    const key = path.join(root, "deploy key's file");
    await writeFile(key, 'not really a key\n', { mode: 0o600 });
    const url = 'ssh://git@127.0.0.1:1/envs.git';
    const err = await caught(pushRelease(promotion(url, 'dev', '1', 1, { credentials: { type: 'ssh-key', privateKeyPath: key } })));
    expect(err).toBeInstanceOf(GitTransientError);
    expect(err.message).toMatch(/Connection refused/);
    const missing = await caught(
      pushRelease(promotion(url, 'dev', '1', 1, { credentials: { type: 'ssh-key', privateKeyPath: `${key}.missing` } })),
    );
    expect(missing).toBeInstanceOf(GitAuthError);
    await expectWorkDirEmpty();
  });

  it('an aborted signal stops the push', async () => {
    const bare = await repo();
    const controller = new AbortController();
    controller.abort(new Error('cancelled by Temporal'));
    await expect(pushRelease(promotion(bare, 'dev', '1', 1, { signal: controller.signal }))).rejects.toThrow(/cancelled/);
    await expectWorkDirEmpty();
  });
});

describe('HTTPS token credentials (loopback smart-HTTP server)', () => {
  const TOKEN = 'ghp_S3cretT0kenValue_never_leak_42';
  let server: GitHttpServer;
  let httpRoot: string;
  beforeAll(async () => {
    httpRoot = path.join(root, 'http');
    await createBareRepo(httpRoot, 'envs', { 'README.md': 'x\n' });
    server = await startGitHttpServer({ root: httpRoot, username: 'x-access-token', token: TOKEN });
  });
  afterAll(async () => server.close());

  function leakCheck(err: GitError): void {
    for (const text of [String(err), err.stack ?? '', err.message, JSON.stringify(err), JSON.stringify(err.details)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    }
  }

  it('pushes with the token, which is never written to disk in the clone', async () => {
    const seen: string[] = [];
    const r = await pushRelease(
      promotion(`${server.url}/envs.git`, 'staging', '1.0.0', 1, {
        credentials: { type: 'https-token', token: TOKEN },
        onBeforePush: async () => {
          // Scan every file of the temporary clone (config, askpass script, objects are compressed but loose refs/config are not).
          const walk = async (dir: string): Promise<void> => {
            for (const e of await readdir(dir, { withFileTypes: true })) {
              const p = path.join(dir, e.name);
              if (e.isDirectory()) await walk(p);
              else seen.push((await readFile(p)).toString('latin1'));
            }
          };
          await walk(workDir);
          await walk(await repoCache().directory()); // the worker's clone cache (repo-cache.ts)
        },
      }),
    );
    expect(r.status).toBe('pushed');
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.some((t) => t.includes(TOKEN))).toBe(false);
    expect(seen.some((t) => t.includes(server.url))).toBe(true);
    expect(server.requests.every((q) => !q.url.includes(TOKEN))).toBe(true);
    expect(await fileAt(path.join(httpRoot, 'envs.git'), 'main', 'environments/staging/core/values.yaml')).toContain('1.0.0');
    const read = await readFileAt({
      repoUrl: `${server.url}/envs.git`,
      branch: 'main',
      workDir,
      path: 'environments/staging/core/values.yaml',
      credentials: { type: 'https-token', token: TOKEN },
    });
    expect(read).toMatchObject({ sha: r.sha, content: expect.stringContaining('tag: "1.0.0"') });
    const many = await readFilesAt({
      repoUrl: `${server.url}/envs.git`,
      branch: 'main',
      workDir,
      paths: ['README.md', 'environments/staging/nope.yaml'],
      credentials: { type: 'https-token', token: TOKEN },
    });
    expect(many).toEqual({ sha: r.sha, files: { 'README.md': 'x\n', 'environments/staging/nope.yaml': undefined } });
    await expectWorkDirEmpty();
  });

  it('a wrong token → GitAuthError, and the token appears nowhere in the error', async () => {
    const wrong = `${TOKEN}_wrong`;
    const err = await caught(
      pushRelease(promotion(`${server.url}/envs.git`, 'dev', '1', 2, { credentials: { type: 'https-token', token: wrong } })),
    );
    expect(err).toBeInstanceOf(GitAuthError);
    expect(err.name).toBe('GitAuthError');
    expect(err.retryable).toBe(false);
    for (const text of [String(err), err.stack ?? '', JSON.stringify(err)]) expect(text).not.toContain(wrong);
    leakCheck(err);
  });

  it('no token → GitAuthError (no prompt, no hang)', async () => {
    const err = await caught(pushRelease(promotion(`${server.url}/envs.git`, 'dev', '1', 3)));
    expect(err).toBeInstanceOf(GitAuthError);
  });

  it('403 → GitPermanentError; unknown repository → GitPermanentError; neither leaks the token', async () => {
    const creds = { type: 'https-token' as const, token: TOKEN };
    const forbidden = await caught(pushRelease(promotion(`${server.url}/forbidden/envs.git`, 'dev', '1', 4, { credentials: creds })));
    expect(forbidden).toBeInstanceOf(GitPermanentError);
    leakCheck(forbidden);
    const missing = await caught(pushRelease(promotion(`${server.url}/nope.git`, 'dev', '1', 5, { credentials: creds })));
    expect(missing).toBeInstanceOf(GitPermanentError);
    leakCheck(missing);
  });
});

describe('revertCommit', () => {
  it('restores the previous content in a new commit, idempotently', async () => {
    const bare = await repo();
    await pushRelease(promotion(bare, 'prod', '1.0.0', 1));
    const before = await fileAt(bare, 'main', 'environments/prod/core/values.yaml');
    const bad = await pushRelease(promotion(bare, 'prod', '2.0.0', 2));
    // Another environment moves on in between: the revert must not touch it.
    await pushRelease(promotion(bare, 'dev', '3.0.0', 3));
    const trailers = { [ID]: '2', 'Flow-Controller-Environment': 'prod', 'Flow-Controller-Action': 'abort' };
    const revert = { repoUrl: bare, branch: 'main', workDir, sha: bad.sha, trailers, idempotencyTrailer: ID, author: AUTHOR };
    const r = await revertCommit(revert);
    expect(r.status).toBe('pushed');
    expect(r.changedFiles).toEqual(['environments/prod/core/values.yaml', 'environments/prod/infra/values.yaml']);
    expect(await fileAt(bare, 'main', 'environments/prod/core/values.yaml')).toBe(before);
    expect(await fileAt(bare, 'main', 'environments/dev/core/values.yaml')).toContain('3.0.0');
    const head = (await commitsOn(bare))[0];
    expect(head?.subject).toBe('Revert "Promote release 00000000-0000-4000-8000-000000000002 to prod"');
    expect(head?.trailers).toMatchObject({ ...trailers, 'Flow-Controller-Reverts': bad.sha });

    expect(await revertCommit(revert)).toEqual({
      sha: r.sha,
      ownCommit: r.sha,
      status: 'skipped-existing-commit',
      attempts: 1,
      changedFiles: [],
    });
    // The promotion's own retry is not fooled by the revert carrying the same deployment trailer.
    expect(await pushRelease(promotion(bare, 'prod', '2.0.0', 2))).toMatchObject({ sha: bad.sha, status: 'skipped-existing-commit' });
    expect(await commitsOn(bare)).toHaveLength(5);
  });

  it('retries a revert over a concurrent writer, and refuses a commit that is not on the branch', async () => {
    const bare = await repo();
    const pushed = await pushRelease(promotion(bare, 'qa', '1.0.0', 1));
    const r = await revertCommit({
      repoUrl: bare,
      branch: 'main',
      workDir,
      sha: pushed.sha,
      trailers: { [ID]: '1' },
      idempotencyTrailer: ID,
      author: AUTHOR,
      onBeforePush: async ({ attempt }) => void (attempt === 1 && (await writeDirect(bare, 'main', { other: 'y' }, 'concurrent'))),
    });
    expect(r).toMatchObject({ status: 'pushed', attempts: 2 });
    expect(await fileAt(bare, 'main', 'environments/qa/core/values.yaml')).toBeUndefined();
    expect(await fileAt(bare, 'main', 'other')).toBe('y');
    const err = await caught(
      revertCommit({
        repoUrl: bare,
        branch: 'main',
        workDir,
        sha: 'f'.repeat(40),
        trailers: { [ID]: '8' },
        idempotencyTrailer: ID,
        author: AUTHOR,
      }),
    );
    expect(err).toBeInstanceOf(GitPermanentError);
  });
});

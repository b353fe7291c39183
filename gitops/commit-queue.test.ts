// The commit queue and the clone cache against real bare repositories: batching (N requests → N commits in
// one push), idempotent retries, writers in other processes, a rewritten remote, a damaged clone, eviction.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../domain/descriptor.js';
import { CommitQueue } from './commit-queue.js';
import { renderEnvironment } from './render.js';
import { RepoCache } from './repo-cache.js';
import { pushRelease, readFilesAt, repoCache, type PushReleaseInput, type PushResult } from './repo.js';
import { commitsOn, createBareRepo, fileAt, git, tempDir, writeDirect } from '../test/git-fixtures.js';

const run = promisify(execFile);
const AUTHOR = { name: 'Ada Promoter', email: 'ada@example.com' };
const ID = 'Flow-Controller-Deployment';

let root: string;
let workDir: string;
beforeAll(async () => {
  root = await tempDir('fc-commitq-test-');
  workDir = path.join(root, 'work');
});
afterAll(async () => rm(root, { recursive: true, force: true }));

let seq = 0;
async function repo(): Promise<string> {
  const bare = await createBareRepo(root, `q${++seq}`, { 'README.md': '# environments\n' });
  // Counts pushes: one line per receive-pack that updated a ref.
  const hook = path.join(bare, 'hooks', 'post-receive');
  await mkdir(path.dirname(hook), { recursive: true });
  await writeFile(hook, '#!/bin/sh\necho push >> "$GIT_DIR/pushes.log"\n');
  await chmod(hook, 0o755);
  return bare;
}

async function pushCount(bare: string): Promise<number> {
  try {
    return (await readFile(path.join(bare, 'pushes.log'), 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function descriptor(tag: string): Descriptor {
  return { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag } } } } } };
}

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
        descriptorDigest: `sha256:${'d'.repeat(64)}`,
        productVersion: tag,
        readFile,
      }).files,
    message: { subject: `Promote ${env} to ${tag}` },
    trailers: { [ID]: String(deployment), 'Flow-Controller-Release': releaseId, 'Flow-Controller-Environment': env },
    idempotencyTrailer: ID,
    author: { name: `Promoter ${deployment}`, email: `p${deployment}@example.com` },
    ...over,
  };
}

/** Each commit's parent is the next one down, and every deployment of `ids` appears exactly once. */
async function expectLinearOncePerDeployment(bare: string, ids: number[]): Promise<void> {
  const commits = await commitsOn(bare);
  for (let i = 0; i < commits.length - 1; i++) expect(commits[i]?.parents).toEqual([commits[i + 1]?.sha]);
  for (const id of ids) expect(commits.filter((c) => c.trailers[ID] === String(id))).toHaveLength(1);
}

describe('commit queue', () => {
  it('N concurrent promotions → N commits, each with its own trailers, author and SHA, in one push', async () => {
    const bare = await repo();
    const envs = Array.from({ length: 12 }, (_, i) => `env-${i}`);
    const results = await Promise.all(envs.map((env, i) => pushRelease(promotion(bare, env, `1.0.${i}`, 200 + i))));
    expect(results.map((r) => r.status)).toEqual(envs.map(() => 'pushed'));
    expect(results.map((r) => r.attempts)).toEqual(envs.map(() => 1));
    expect(await pushCount(bare)).toBe(1);
    const commits = await commitsOn(bare);
    expect(commits).toHaveLength(envs.length + 1);
    for (const [i, env] of envs.entries()) {
      const mine = commits.filter((c) => c.trailers[ID] === String(200 + i));
      expect(mine.map((c) => c.sha)).toEqual([results[i]?.sha]);
      expect(mine[0]?.trailers['Flow-Controller-Environment']).toBe(env);
      expect(mine[0]?.author).toBe(`Promoter ${200 + i} <p${200 + i}@example.com>`);
      expect(results[i]?.changedFiles).toEqual([`environments/${env}/core/values.yaml`]);
      expect(await fileAt(bare, 'main', `environments/${env}/core/values.yaml`)).toContain(`tag: "1.0.${i}"`);
    }
    await expectLinearOncePerDeployment(
      bare,
      envs.map((_, i) => 200 + i),
    );
    expect(await readdir(workDir)).toEqual([]);
  });

  it('a retry after a crash finds its commit — also when the same request is queued twice in one batch', async () => {
    const bare = await repo();
    const first = await pushRelease(promotion(bare, 'a', '1.0.0', 1));
    const [again, other, twinA, twinB] = await Promise.all([
      pushRelease(promotion(bare, 'a', '1.0.0', 1)),
      pushRelease(promotion(bare, 'b', '1.0.0', 2)),
      pushRelease(promotion(bare, 'c', '1.0.0', 3)),
      pushRelease(promotion(bare, 'c', '1.0.0', 3, { author: AUTHOR })),
    ]);
    expect(again).toMatchObject({ sha: first.sha, ownCommit: first.sha, status: 'skipped-existing-commit' });
    expect(other.status).toBe('pushed');
    expect(twinB).toMatchObject({ sha: twinA.sha, status: 'skipped-existing-commit' });
    expect(twinA.status).toBe('pushed');
    await expectLinearOncePerDeployment(bare, [1, 2, 3]);
    expect(await commitsOn(bare)).toHaveLength(4);
  });

  it('a request that fails alone (render error) does not take the batch down', async () => {
    const bare = await repo();
    const results = await Promise.allSettled([
      pushRelease(promotion(bare, 'a', '1.0.0', 1)),
      pushRelease(
        promotion(bare, 'b', '1.0.0', 2, {
          render: () => {
            throw new Error('render failed');
          },
        }),
      ),
      pushRelease(promotion(bare, 'c', '1.0.0', 3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expectLinearOncePerDeployment(bare, [1, 3]);
    expect((await commitsOn(bare)).some((c) => c.trailers[ID] === '2')).toBe(false);
  });

  it('a push the server refuses because of one commit fails only that request, the rest of the batch lands', async () => {
    const bare = await repo();
    // A pre-receive hook (push protection, a protected path) declining any push that touches environment `bad`.
    const hook = path.join(bare, 'hooks', 'pre-receive');
    await writeFile(
      hook,
      '#!/bin/sh\nwhile read old new ref; do\n' +
        '  if git diff --name-only "$old" "$new" 2>/dev/null | grep -q "^environments/bad/"; then echo "protected path" >&2; exit 1; fi\n' +
        'done\nexit 0\n',
    );
    await chmod(hook, 0o755);
    const results = await Promise.allSettled([
      pushRelease(promotion(bare, 'a', '1.0.0', 1)),
      pushRelease(promotion(bare, 'bad', '1.0.0', 2)),
      pushRelease(promotion(bare, 'c', '1.0.0', 3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/rejected the push/);
    const commits = await commitsOn(bare);
    expect(
      commits
        .map((c) => c.trailers[ID])
        .filter(Boolean)
        .sort(),
    ).toEqual(['1', '3']);
    await expectLinearOncePerDeployment(bare, [1, 3]);
  });

  it('writers in other processes (a second queue with its own clone cache, and queue-less writers) lose and duplicate nothing', async () => {
    const bare = await repo();
    const otherWorker = new CommitQueue(new RepoCache({ dir: path.join(root, 'other-worker') }), {
      fresh: () => Promise.reject(new Error('unused')),
    });
    const n = 8;
    const results = await Promise.all([
      ...Array.from({ length: n }, (_, i) => pushRelease(promotion(bare, `w1-${i}`, '1.0.0', 300 + i))),
      ...Array.from({ length: n }, (_, i) => pushRelease(promotion(bare, `w2-${i}`, '1.0.0', 400 + i, { commitQueue: otherWorker }))),
      ...Array.from({ length: 3 }, (_, i) => pushRelease(promotion(bare, `w3-${i}`, '1.0.0', 500 + i, { serializeInProcess: false }))),
      // The same promotion in both workers (a retried activity landing on the other worker): one commit.
      pushRelease(promotion(bare, 'dup', '1.0.0', 600)),
      pushRelease(promotion(bare, 'dup', '1.0.0', 600, { commitQueue: otherWorker, author: AUTHOR })),
    ]);
    expect(results.every((r) => r.status === 'pushed' || r.status === 'skipped-existing-commit')).toBe(true);
    const ids = [...Array.from({ length: n }, (_, i) => [300 + i, 400 + i]).flat(), 500, 501, 502, 600];
    await expectLinearOncePerDeployment(bare, ids);
    expect(await commitsOn(bare)).toHaveLength(ids.length + 1);
    const dup = results.slice(-2);
    expect(dup[0]?.sha).toBe(dup[1]?.sha);
  });

  describe('a lost push race', () => {
    /**
     * Runs `requests` as one batch, their renders counted (per index); the first hook to run before the batch's
     * first push lets `foreign` push first.
     */
    function race(requests: PushReleaseInput[], foreign: () => Promise<unknown>) {
      const renders = requests.map(() => 0);
      let raced = false;
      const results = Promise.allSettled(
        requests.map((req, i) =>
          pushRelease({
            ...req,
            render: (readFile) => {
              renders[i] = (renders[i] ?? 0) + 1;
              return req.render(readFile);
            },
            onBeforePush: async () => {
              if (raced) return;
              raced = true;
              await foreign();
            },
          }),
        ),
      );
      return { renders, results };
    }
    async function ok(settled: Promise<Array<PromiseSettledResult<PushResult>>>): Promise<PushResult[]> {
      return (await settled).map((r) => {
        if (r.status === 'rejected') throw r.reason;
        return r.value;
      });
    }
    const requestsFor = (bare: string, envs: string[]) => envs.map((env, i) => promotion(bare, env, '2.0.0', 300 + i));
    const foreignCommit = (bare: string) => () => writeDirect(bare, 'main', { 'other/notes.md': 'by hand\n' }, 'a foreign commit');

    it('to a commit on other paths replays the batch onto it: each request keeps its commit, author and trailers, rendered once', async () => {
      const bare = await repo();
      // Environment `same` already holds what its request renders: that request changes nothing.
      const held = promotion(bare, 'same', '2.0.0', 300);
      await pushRelease({ ...held, trailers: { ...held.trailers, [ID]: '299' } });
      const envs = ['same', 'a', 'b', 'c'];
      const { renders, results } = race(requestsFor(bare, envs), foreignCommit(bare));
      const out = await ok(results);
      expect(renders).toEqual(envs.map(() => 1));
      expect(out.map((r) => r.status)).toEqual(['skipped-no-change', 'pushed', 'pushed', 'pushed']);
      expect(out.map((r) => r.attempts)).toEqual(envs.map(() => 2));
      const commits = await commitsOn(bare);
      const foreign = commits.find((c) => c.subject === 'a foreign commit');
      expect(foreign).toBeDefined();
      // Ours on top of the foreign commit, in request order, each with its own author and trailers.
      expect(commits.slice(0, 3).map((c) => c.trailers[ID])).toEqual(['303', '302', '301']);
      expect(commits[3]?.sha).toBe(foreign?.sha);
      for (const [i, r] of out.entries()) {
        if (i === 0) continue;
        const mine = commits.filter((c) => c.trailers[ID] === String(300 + i));
        expect(mine.map((c) => c.sha)).toEqual([r.sha]);
        expect(r.ownCommit).toBe(r.sha);
        expect(mine[0]?.author).toBe(`Promoter ${300 + i} <p${300 + i}@example.com>`);
        expect(await fileAt(bare, r.sha, `environments/${envs[i]}/core/values.yaml`)).toContain('tag: "2.0.0"');
      }
      // The request that changed nothing reports the head it stood on: now the foreign commit.
      expect(out[0]?.sha).toBe(foreign?.sha);
      expect(await fileAt(bare, 'main', 'other/notes.md')).toBe('by hand\n');
      await expectLinearOncePerDeployment(bare, [301, 302, 303]);
    });

    it('to a commit on a path a request writes renders the batch again', async () => {
      const bare = await repo();
      await pushRelease(promotion(bare, 'b', '1.0.0', 298));
      const file = 'environments/b/core/values.yaml';
      const before = (await fileAt(bare, 'main', file)) ?? '';
      const { renders, results } = race(requestsFor(bare, ['a', 'b']), () =>
        writeDirect(bare, 'main', { [file]: `${before}# edited by hand\n` }, 'a foreign edit of b'),
      );
      const out = await ok(results);
      expect(renders).toEqual([2, 2]);
      expect(out.map((r) => r.status)).toEqual(['pushed', 'pushed']);
      const after = await fileAt(bare, 'main', file);
      expect(after).toContain('tag: "2.0.0"');
      expect(after).toContain('# edited by hand');
      await expectLinearOncePerDeployment(bare, [300, 301]);
    });

    it('to a commit on a path a request only reads renders the batch again', async () => {
      const bare = await repo();
      const reading = requestsFor(bare, ['a', 'b']).map((req): PushReleaseInput => ({
        ...req,
        render: (readFile) => {
          readFile('shared/defaults.yaml');
          return req.render(readFile);
        },
      }));
      const { renders, results } = race(reading, () => writeDirect(bare, 'main', { 'shared/defaults.yaml': 'x: 1\n' }, 'shared defaults'));
      expect((await ok(results)).map((r) => r.status)).toEqual(['pushed', 'pushed']);
      expect(renders).toEqual([2, 2]);
      await expectLinearOncePerDeployment(bare, [300, 301]);
    });

    it("to a commit on other paths that carries a request's trailers renders the batch again", async () => {
      const bare = await repo();
      const requests = requestsFor(bare, ['a', 'b']);
      const copied = Object.entries(requests[1]?.trailers ?? {})
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n');
      const { renders, results } = race(requests, () =>
        writeDirect(bare, 'main', { 'other/notes.md': 'by hand\n' }, `by hand, with copied trailers\n\n${copied}`),
      );
      // Not b's own commit (it changes none of b's files): b still pushes one of its own.
      expect((await ok(results)).map((r) => r.status)).toEqual(['pushed', 'pushed']);
      expect(renders).toEqual([2, 2]);
    });

    it("to another worker's push of a request's own commit renders again and finds that commit", async () => {
      const bare = await repo();
      let theirs = '';
      const { renders, results } = race(requestsFor(bare, ['a', 'b']), async () => {
        // The same deployment (301, environment b) pushed by a writer of its own: a retried activity elsewhere.
        theirs = (await pushRelease({ ...promotion(bare, 'b', '2.0.0', 301), serializeInProcess: false })).sha;
      });
      const out = await ok(results);
      expect(renders).toEqual([2, 2]);
      expect(out[1]).toMatchObject({ status: 'skipped-existing-commit', sha: theirs, ownCommit: theirs });
      expect(out[0]?.status).toBe('pushed');
      await expectLinearOncePerDeployment(bare, [300, 301]);
    });

    it('keeps a request queued twice on its one rebased commit', async () => {
      const bare = await repo();
      const [a, b] = requestsFor(bare, ['a', 'b']) as [PushReleaseInput, PushReleaseInput];
      const { renders, results } = race([a, b, { ...b }], foreignCommit(bare));
      const out = await ok(results);
      expect(renders).toEqual([1, 1, 1]);
      expect(out.map((r) => r.status)).toEqual(['pushed', 'pushed', 'skipped-existing-commit']);
      expect(out[2]).toMatchObject({ sha: out[1]?.sha, ownCommit: out[1]?.sha });
      expect((await commitsOn(bare)).map((c) => c.sha)).toContain(out[1]?.sha);
      await expectLinearOncePerDeployment(bare, [300, 301]);
    });

    it('keeps a retried request on its own commit when that commit was the remote head', async () => {
      const bare = await repo();
      const [a, b] = requestsFor(bare, ['a', 'b']) as [PushReleaseInput, PushReleaseInput];
      const first = await pushRelease(b);
      const { results } = race([a, b], foreignCommit(bare));
      const out = await ok(results);
      expect(out[0]?.status).toBe('pushed');
      expect(out[1]).toMatchObject({ status: 'skipped-existing-commit', sha: first.sha, ownCommit: first.sha });
      await expectLinearOncePerDeployment(bare, [300, 301]);
    });

    it('never pushes the commit of a request that ran out of attempts', async () => {
      const bare = await repo();
      const [a, b] = requestsFor(bare, ['a', 'b']) as [PushReleaseInput, PushReleaseInput];
      const { results } = race([a, { ...b, maxAttempts: 1 }], foreignCommit(bare));
      const [first, second] = await results;
      expect(first).toMatchObject({ status: 'fulfilled', value: { status: 'pushed' } });
      expect(second?.status).toBe('rejected');
      expect(String((second as PromiseRejectedResult).reason)).toMatch(/still rejected by concurrent writers after 1 attempts/);
      expect((await commitsOn(bare)).filter((c) => c.trailers[ID] === '301')).toEqual([]);
      await expectLinearOncePerDeployment(bare, [300]);
    });
  });
});

describe('clone cache', () => {
  it('survives a rewritten (force-pushed) remote and a damaged clone', async () => {
    const bare = await repo();
    await pushRelease(promotion(bare, 'a', '1.0.0', 1));
    // Rewrite the remote's history: a new root commit, force-pushed.
    const scratch = path.join(root, `scratch-${++seq}`);
    await git(root, ['clone', '--quiet', bare, scratch]);
    await git(scratch, ['checkout', '--quiet', '--orphan', 'rewritten']);
    await git(scratch, ['rm', '-rq', '--cached', '.']);
    await writeFile(path.join(scratch, 'REWRITTEN'), 'yes\n');
    await git(scratch, ['add', 'REWRITTEN']);
    await git(scratch, ['commit', '--quiet', '-m', 'rewritten history']);
    await git(scratch, ['push', '--quiet', '--force', 'origin', 'rewritten:main']);
    const newRoot = (await git(scratch, ['rev-parse', 'HEAD'])).trim();

    const read = await readFilesAt({ repoUrl: bare, branch: 'main', workDir, paths: ['REWRITTEN', 'README.md'] });
    expect(read).toEqual({ sha: newRoot, files: { REWRITTEN: 'yes\n', 'README.md': undefined } });
    const r = await pushRelease(promotion(bare, 'a', '2.0.0', 2));
    expect(r.status).toBe('pushed');
    expect((await commitsOn(bare)).map((c) => c.parents)).toEqual([[newRoot], []]);

    // Damage every clone of the cache (a torn write, a disk error): the next use clones again and succeeds.
    const dir = await repoCache().directory();
    for (const clone of await readdir(dir)) await writeFile(path.join(dir, clone, '.git', 'HEAD'), 'garbage\n');
    const after = await pushRelease(promotion(bare, 'b', '1.0.0', 3));
    expect(after.status).toBe('pushed');
    expect((await commitsOn(bare))[0]?.parents).toEqual([r.sha]);
    await expectLinearOncePerDeployment(bare, [2, 3]);
  });

  it('reads are the remote head every time; they fetch only when someone else moved it, and read all files in one go', async () => {
    const bare = await repo();
    const cache = repoCache();
    const read = (paths: string[]) => readFilesAt({ repoUrl: bare, branch: 'main', workDir, paths });
    const first = await pushRelease(promotion(bare, 'a', '1.0.0', 1));
    const fetches = cache.readerFetches;
    // At the commit the cache pushed itself: no fetch.
    const own = await read(['environments/a/core/values.yaml', 'README.md', 'missing.yaml']);
    expect(own.sha).toBe(first.sha);
    expect(own.files['environments/a/core/values.yaml']).toContain('1.0.0');
    expect(own.files['README.md']).toBe('# environments\n');
    expect(own.files['missing.yaml']).toBeUndefined();
    expect(cache.readerFetches).toBe(fetches);

    // Someone else pushes: the next read fetches once, the one after it none. Content that is not UTF-8 and a
    // name with a line break are read file by file, as text, like any other.
    const scratch = path.join(root, `scratch-${++seq}`);
    await git(root, ['clone', '--quiet', bare, scratch]);
    await writeFile(path.join(scratch, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await writeFile(path.join(scratch, 'two\nlines'), 'x\n');
    await git(scratch, ['add', '--all']);
    await git(scratch, ['commit', '--quiet', '-m', 'by hand']);
    await git(scratch, ['push', '--quiet', 'origin', 'HEAD:main']);
    const foreign = (await git(scratch, ['rev-parse', 'HEAD'])).trim();
    for (const expected of [fetches + 1, fetches + 1]) {
      const theirs = await read(['latin1.txt', 'README.md']);
      expect(theirs).toEqual({ sha: foreign, files: { 'latin1.txt': 'caf\uFFFD\n', 'README.md': '# environments\n' } });
      expect(cache.readerFetches).toBe(expected);
    }
    expect((await read(['two\nlines'])).files).toEqual({ 'two\nlines': 'x\n' });
    // The cached clones lose their files (a temp-dir cleaner): the read is still right (from a fresh clone), and the
    // next one fetches into the cache again instead of trusting the commit it knew.
    const dir = await cache.directory();
    for (const clone of await readdir(dir)) {
      await rm(path.join(dir, clone, '.git', 'objects'), { recursive: true, force: true });
      await mkdir(path.join(dir, clone, '.git', 'objects'));
    }
    expect((await read(['README.md'])).files).toEqual({ 'README.md': '# environments\n' });
    const afterDamage = cache.readerFetches;
    expect((await read(['README.md'])).sha).toBe(foreign);
    expect(cache.readerFetches).toBeGreaterThan(afterDamage);
    const healed = cache.readerFetches;
    expect((await read(['README.md'])).files).toEqual({ 'README.md': '# environments\n' });
    expect(cache.readerFetches).toBe(healed);
    // A directory where a file is expected is refused as before (cat-file names the object).
    await expect(read(['environments'])).rejects.toThrow(/environments/);
  });

  it('first users of one repository at the same moment share one clone; an entry in use is never evicted', async () => {
    const cache = new RepoCache({ dir: path.join(root, 'shared-first'), maxRepos: 1 });
    const [a, b] = [await repo(), await repo()];
    const input = (bare: string) => ({ repoUrl: bare, branch: 'main', workDir });
    const dirs = await Promise.all(
      [a, a, b, a].map((bare) => cache.exclusive(input(bare), undefined, async (ws) => (await ws.fetch(1), ws.dir))),
    );
    expect(dirs[0]).toBe(dirs[1]);
    expect(dirs[3]).toBe(dirs[0]);
    // Bounded to one clone once nothing is in use; no orphaned directory of a lost race stays behind.
    expect(cache.size()).toBe(1);
    expect(await readdir(await cache.directory())).toHaveLength(1);
  });

  it('replaces a clone by a fresh one after FC_GIT_CACHE_REUSES uses (gc stays off inside promotions)', async () => {
    const cache = new RepoCache({ dir: path.join(root, 'reuses'), reuses: 2 });
    const bare = await repo();
    const use = () => cache.exclusive({ repoUrl: bare, branch: 'main', workDir }, undefined, async (ws) => (await ws.fetch(1), ws.dir));
    const first = await use();
    expect(await use()).toBe(first);
    const parent = await cache.directory();
    // The second use discarded it: nothing of the old clone stays on disk, and the next use clones afresh.
    expect(await readdir(parent)).toEqual([]);
    expect(await use()).toBe(first);
    expect(await readdir(parent)).toEqual([path.basename(first)]);
  });

  it('is private, bounded (least recently used evicted) and keeps no credential on disk', async () => {
    const cache = new RepoCache({ dir: path.join(root, 'bounded'), maxRepos: 2 });
    const queue = new CommitQueue(cache, { fresh: () => Promise.reject(new Error('unused')) });
    const bares = [await repo(), await repo(), await repo()];
    const token = 'tok_never_on_disk_12345';
    for (const [i, bare] of bares.entries()) {
      // A token over a local path is never asked for; it must still not reach a file.
      await pushRelease(promotion(bare, 'a', '1.0.0', 10 + i, { commitQueue: queue, credentials: { type: 'https-token', token } }));
    }
    expect(cache.size()).toBe(2);
    const dir = await cache.directory();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await readdir(dir)).sort()).toEqual(['r2', 'r3']);
    const { stdout } = await run('grep', ['-rl', token, dir], { encoding: 'utf8' }).catch((e: { stdout: string }) => e);
    expect(stdout).toBe('');
  });
});

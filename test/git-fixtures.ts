// Test helpers for the GitOps engine: real bare repositories in a temp dir (created and written through
// sim/gitops-repo.ts, the one bare-repo helper), a second "concurrent writer", history inspection, and a
// loopback Git smart-HTTP server (git http-backend behind Basic auth) to test HTTPS token handling end to end.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile, chmod } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { commitFiles, ensureBareRepo } from '../sim/gitops-repo.js';

const IDENTITY = [
  '-c',
  'user.name=Other Writer',
  '-c',
  'user.email=other@example.com',
  '-c',
  'commit.gpgsign=false',
  '-c',
  'core.hooksPath=/dev/null',
];

export function git(cwd: string, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  delete env.GIT_INDEX_FILE;
  return new Promise((resolve, reject) => {
    execFile('git', [...IDENTITY, ...args], { cwd, env, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`git ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A bare repository at `<parent>/<name>.git` whose `main` holds `files` (no commit when `files` is undefined). */
export async function createBareRepo(parent: string, name: string, files?: Record<string, string>): Promise<string> {
  const bare = path.join(parent, `${name}.git`);
  await ensureBareRepo(bare, 'main');
  if (files) await commitFiles(bare, files, 'initial layout', 'main');
  return bare;
}

/** Another writer: clone, write `files`, commit with `message`, push (sim/gitops-repo.ts). Returns the new SHA. */
export function writeDirect(bare: string, branch: string, files: Record<string, string>, message: string): Promise<string> {
  return commitFiles(bare, files, message, branch);
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  subject: string;
  body: string;
  author: string;
  committer: string;
  trailers: Record<string, string>;
}

/** The branch's history, newest first. */
export async function commitsOn(bare: string, branch = 'main'): Promise<CommitInfo[]> {
  const out = await git(bare, ['log', '--format=%H%x1f%P%x1f%s%x1f%B%x1f%an <%ae>%x1f%cn <%ce>%x1f%(trailers:only,unfold)%x1e', branch]);
  return out
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [sha = '', parents = '', subject = '', body = '', author = '', committer = '', trailers = ''] = r.split('\x1f');
      return {
        sha,
        parents: parents.split(' ').filter(Boolean),
        subject,
        body,
        author,
        committer,
        trailers: Object.fromEntries(
          trailers
            .split('\n')
            .filter((l) => l.includes(':'))
            .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
        ),
      };
    });
}

export async function fileAt(bare: string, rev: string, file: string): Promise<string | undefined> {
  try {
    return await git(bare, ['show', `${rev}:${file}`]);
  } catch {
    return undefined;
  }
}

export interface GitHttpServer {
  url: string;
  /** Every Authorization header the server received (to check what went over the wire). */
  requests: Array<{ method: string; url: string }>;
  close: () => Promise<void>;
}

/**
 * A loopback Git smart-HTTP server over the bare repositories under `root`, requiring Basic auth with
 * `username`/`token` (401 otherwise). Paths starting with `/forbidden/` answer 403.
 */
export async function startGitHttpServer(opts: { root: string; username: string; token: string }): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.token}`).toString('base64')}`;
  const requests: GitHttpServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/forbidden/')) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="gitops"' }).end('unauthorized');
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: opts.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: opts.username,
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const sep = out.indexOf('\r\n\r\n');
      const head = out.subarray(0, sep).toString('utf8');
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split('\r\n')) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else if (k) headers[k] = v;
      }
      res.writeHead(status, headers).end(out.subarray(sep + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A bare repo whose pre-receive hook rejects every push (a protected branch). */
export async function protectRepo(bare: string): Promise<void> {
  const hook = path.join(bare, 'hooks', 'pre-receive');
  await mkdir(path.dirname(hook), { recursive: true });
  await writeFile(hook, '#!/bin/sh\necho "protected branch: direct pushes are not allowed" >&2\nexit 1\n');
  await chmod(hook, 0o755);
}

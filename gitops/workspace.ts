// GitOps engine workspace: one temporary clone and the git runner bound to it, with every credential the
// engine handles. This is the module to review for secret hygiene:
//   - an HTTPS token reaches git only through the environment of an askpass script (which holds no secret):
//     never argv (visible in `ps`), never the remote URL (written to .git/config), never a file;
//   - a repoUrl with embedded credentials, or whose host is not in FC_ALLOWED_HOSTS, is refused without being echoed;
//   - an SSH key given as content (an `env:` reference) is written to a 0600 file inside the workspace and
//     removed with it; neither the key nor a key path ever appears in a message;
//   - git's output is scrubbed of the token (plain, URL-encoded and in the base64 Basic form) and of any
//     `user@` in URLs before it reaches an error or a log;
//   - git runs isolated from the caller's environment: an allowlisted environment (git-env.ts: no secrets, no
//     repository variables), no hooks, no prompts, the C locale (classification reads the messages), symlinks
//     checked out as plain files, a kill timeout and an output bound per command.
// The workspace is removed by `dispose()` (and on a failure while opening it).
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hostAllowed, urlHasCredentials } from '../domain/target-policy.js';
import { classify, GitAuthError, GitPermanentError, GitTransientError, tail } from './errors.js';
import { DEFAULT_MAX_OUTPUT_BYTES, gitChildEnv } from './git-env.js';
import { runGit } from './git-runner.js';
import { scrubUrlCredentials } from '../lib/secrets.js';
import { gitPushes } from '../lib/metrics.js';

export type GitCredentials =
  | { type: 'https-token'; /** default `x-access-token` (GitHub; GitLab accepts any) */ username?: string; token: string }
  /** The key's content (e.g. resolved from an `env:` reference): written to a 0600 file in the workspace. */
  | { type: 'ssh-key'; privateKey: string }
  /** A key file the caller manages. */
  | { type: 'ssh-key'; privateKeyPath: string };

export interface GitAuthor {
  name: string;
  email: string;
}

/** The committer of every commit the engine makes; the author is the caller's (who promoted). */
export const COMMITTER: GitAuthor = { name: 'Flow Controller', email: 'flow-controller@noreply.invalid' };

/** How far back the idempotency check looks (and the fetch depth). */
export const HISTORY_DEPTH = 200;

export interface RemoteInput {
  repoUrl: string;
  branch: string;
  /** Parent directory for the temporary clone (created if missing). */
  workDir: string;
  credentials?: GitCredentials;
  /** FC_ALLOWED_HOSTS patterns the remote's host must match (absent or empty = every host). */
  allowedHosts?: readonly string[];
  signal?: AbortSignal;
  /** Kill any single git command after this long (→ GitTransientError). Default 120 s. */
  commandTimeoutMs?: number;
  /** Bound of one git command's output; more → GitPermanentError. Default DEFAULT_MAX_OUTPUT_BYTES (32 MiB). */
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  root: string;
  dir: string;
  remoteRef: string;
  refspec: string;
  /** `author` overrides the workspace's author for this one command (a batch commits for several promotions). */
  git: (args: string[], opts?: { okCodes?: number[]; author?: GitAuthor; input?: string }) => Promise<RunResult>;
  scrub: (text: string) => string;
  /** Fetches the branch (shallow); false when the remote has no such branch. */
  fetch: (depth: number) => Promise<boolean>;
  push: () => Promise<'ok' | 'conflict'>;
  has: (rev: string) => Promise<boolean>;
  isShallow: () => Promise<boolean>;
  /** Removes the workspace's own temporary directory (askpass, key file, hooks; and the clone unless it is a cached one). */
  dispose: () => Promise<void>;
}

export interface WorkspaceOptions {
  /**
   * An existing clone to work in (repo-cache.ts) instead of a fresh one inside the temporary directory. It is
   * initialised (`git init` + remote) when it has no `.git` yet, and never removed by `dispose()`.
   */
  dir?: string;
}

const BRANCH_RE = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$|.*@\{)[A-Za-z0-9._/-]+$/;

export async function openWorkspace(input: RemoteInput, author?: GitAuthor, opts: WorkspaceOptions = {}): Promise<Workspace> {
  checkRemote(input);
  const creds = input.credentials;
  if (creds?.type === 'ssh-key' && 'privateKeyPath' in creds) await checkKeyFile(creds.privateKeyPath);
  await mkdir(input.workDir, { recursive: true });
  const root = await mkdtemp(path.join(input.workDir, 'fc-git-'));
  const dir = opts.dir ?? path.join(root, 'repo');
  const hooks = path.join(root, 'no-hooks');
  const secrets: string[] = [];
  const timeout = input.commandTimeoutMs ?? 120_000;

  // An allowlist, not the worker's environment (git-env.ts): no secrets, no GIT_DIR & co. from a caller's hook;
  // an operator's own ssh setup only when the environment configures no credentials of its own.
  const env: NodeJS.ProcessEnv = gitChildEnv(process.env, { withSshSetup: !creds });
  const maxBuffer = input.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  Object.assign(env, {
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    GIT_TRACE_REDACT: '1',
    // Paths are names, never globs (`ls-files`, `ls-tree`, `diff` over the rendered paths).
    GIT_LITERAL_PATHSPECS: '1',
    GIT_COMMITTER_NAME: COMMITTER.name,
    GIT_COMMITTER_EMAIL: COMMITTER.email,
    ...(author ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : {}),
  });
  const config = [
    '-c',
    'commit.gpgsign=false',
    '-c',
    `core.hooksPath=${hooks}`,
    '-c',
    'gc.auto=0',
    '-c',
    'maintenance.auto=false',
    '-c',
    'advice.detachedHead=false',
    '-c',
    `init.defaultBranch=${input.branch}`,
    '-c',
    'core.autocrlf=false',
    // Symbolic links are checked out as plain files holding the target: nothing on disk points outside the clone.
    '-c',
    'core.symlinks=false',
  ];

  try {
    await mkdir(hooks);
    if (creds?.type === 'https-token') {
      // The token reaches git only through this askpass script's environment: never argv (visible in ps),
      // never the remote URL (written to .git/config), never a file.
      const askpass = path.join(root, 'askpass.sh');
      await writeFile(
        askpass,
        '#!/bin/sh\ncase "$1" in\n  Username*) printf \'%s\\n\' "$FC_GIT_USERNAME" ;;\n  *) printf \'%s\\n\' "$FC_GIT_TOKEN" ;;\nesac\n',
      );
      await chmod(askpass, 0o700);
      const username = creds.username ?? 'x-access-token';
      Object.assign(env, { GIT_ASKPASS: askpass, SSH_ASKPASS: askpass, FC_GIT_USERNAME: username, FC_GIT_TOKEN: creds.token });
      config.push('-c', 'credential.helper=', '-c', 'core.askPass=');
      secrets.push(creds.token, encodeURIComponent(creds.token), Buffer.from(`${username}:${creds.token}`).toString('base64'));
    } else {
      if (creds?.type === 'ssh-key') {
        let keyFile: string;
        if ('privateKey' in creds) {
          // ssh reads keys only from files: a private one (0600, exclusive create) inside this workspace,
          // removed by dispose() with everything else. ssh wants the final newline.
          keyFile = path.join(root, 'ssh-key');
          await writeFile(keyFile, creds.privateKey.endsWith('\n') ? creds.privateKey : `${creds.privateKey}\n`, {
            mode: 0o600,
            flag: 'wx',
          });
          secrets.push(...creds.privateKey.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----')));
        } else {
          keyFile = creds.privateKeyPath;
        }
        env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(keyFile)} -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes`;
      } else if (env.GIT_SSH_COMMAND === undefined) {
        env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
      }
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }

  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
    return scrubUrlCredentials(out);
  };

  const run = (args: string[], okCodes = [0], cwd = dir, as?: GitAuthor, stdin?: string): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      input.signal?.throwIfAborted();
      runGit([...config, ...args], {
        cwd,
        env: as ? { ...env, GIT_AUTHOR_NAME: as.name, GIT_AUTHOR_EMAIL: as.email } : env,
        maxBuffer,
        timeout,
        ...(input.signal ? { signal: input.signal } : {}),
        ...(stdin === undefined ? {} : { input: stdin }),
      }).then((r) => {
        if (input.signal?.aborted) return reject(input.signal.reason as Error);
        if (r.spawnError === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          // Never the output itself: it is a file of the repository.
          return reject(
            new GitPermanentError(
              `git ${args[0] ?? ''} produced more than ${Math.round(maxBuffer / 1024)} KiB of output (the engine's bound)`,
              {
                command: args[0],
              },
            ),
          );
        }
        if (r.killed && r.code !== 0) {
          return reject(new GitTransientError(`git ${args[0] ?? ''} timed out after ${timeout} ms`, { command: args[0], exitCode: null }));
        }
        if (r.spawnError) return reject(new GitPermanentError(`could not run git (${r.spawnError})`, { command: args[0] }));
        if (!okCodes.includes(r.code)) return reject(classify(args[0] ?? '', r.code, scrub(`${r.stderr}\n${r.stdout}`)));
        resolve({ code: r.code, stdout: r.stdout, stderr: r.stderr });
      }, reject);
    });

  const remoteRef = `refs/remotes/origin/${input.branch}`;
  const refspec = `+refs/heads/${input.branch}:${remoteRef}`;

  try {
    if (opts.dir === undefined || !(await exists(path.join(dir, '.git')))) {
      await run(['init', '--quiet', dir], [0], root);
      await run(['remote', 'add', 'origin', input.repoUrl]);
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }

  /** One push: `conflict` when another writer moved the branch first (non-fast-forward, or a lost ref lock). */
  const pushOnce = async (): Promise<'ok' | 'conflict'> => {
    const r = await run(['push', '--porcelain', '--no-verify', 'origin', `HEAD:refs/heads/${input.branch}`], [0, 1]);
    if (r.code === 0) return 'ok';
    const out = scrub(`${r.stdout}\n${r.stderr}`);
    // Lost the compare-and-swap on the ref: plain non-fast-forward, or two receive-packs racing on the lock.
    if (/\[rejected\].*\((fetch first|non-fast-forward|stale info)\)/.test(out)) return 'conflict';
    if (
      /\[remote rejected\].*\((failed to update ref|cannot lock ref|failed to lock|incorrect old value|.*is at .* but expected)/.test(out)
    ) {
      return 'conflict';
    }
    if (/\[remote rejected\]/.test(out)) {
      const reason = /\[remote rejected\] \(([^)]*)\)/.exec(out)?.[1] ?? 'rejected';
      throw new GitPermanentError(`the remote rejected the push to ${input.branch}: ${reason}`, {
        command: 'push',
        exitCode: r.code,
        output: tail(out),
      });
    }
    throw classify('push', r.code, out);
  };
  const ws: Workspace = {
    root,
    dir,
    remoteRef,
    refspec,
    scrub,
    git: (args, o) => run(args, o?.okCodes, dir, o?.author, o?.input),
    fetch: async (depth) => {
      const r = await run(['fetch', '--quiet', '--no-tags', `--depth=${depth}`, 'origin', refspec], [0, 128]);
      if (r.code === 0) return true;
      if (/couldn't find remote ref/i.test(r.stderr)) return false;
      throw classify('fetch', r.code, scrub(r.stderr));
    },
    push: async () => {
      try {
        const result = await pushOnce();
        gitPushes.inc({ result });
        return result;
      } catch (err) {
        gitPushes.inc({ result: 'error' });
        throw err;
      }
    },
    has: async (rev) => (await run(['cat-file', '-e', rev], [0, 1, 128])).code === 0,
    isShallow: async () => (await run(['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true',
    dispose: () => rm(root, { recursive: true, force: true }),
  };
  return ws;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

export function checkRemote(input: RemoteInput): void {
  if (!BRANCH_RE.test(input.branch)) throw new GitPermanentError(`"${input.branch}" is not a valid branch name`);
  // A credential inside the URL would be written to .git/config and echoed by git: refuse it (without echoing
  // it). An SSH user name alone (ssh://git@host/…, git@host:org/repo.git) is a login, not a credential.
  if (urlHasCredentials(input.repoUrl)) {
    throw new GitPermanentError('repoUrl must not embed credentials; pass them as `credentials`');
  }
  // Checked here too, not only when the environment is saved: a row written behind the API's back.
  if (!hostAllowed(input.repoUrl, input.allowedHosts ?? [])) {
    throw new GitPermanentError('gitops.repoUrl: the host is not in FC_ALLOWED_HOSTS');
  }
  if (input.repoUrl.startsWith('-')) throw new GitPermanentError('repoUrl must not start with "-"');
  if (input.credentials?.type === 'https-token' && input.credentials.token.trim() === '') {
    throw new GitAuthError('the HTTPS token is empty');
  }
}

async function checkKeyFile(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch {
    // Neither the path nor anything else the caller passed: a misused field may hold the key itself.
    throw new GitAuthError('the SSH private key file is not readable');
  }
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

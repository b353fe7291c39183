// GitOps engine errors: the GitError family and the classification of a failed git command by its output.
// Every class has a fixed `name`, so Temporal's `nonRetryableErrorTypes` can match it, and callers decide on
// retries by class alone. Messages and details never carry a credential: the workspace scrubs git's output
// before it is classified here, and git's arguments are never included.

export interface GitErrorDetails {
  /** The git subcommand that failed (`fetch`, `push`, …), never its arguments. */
  command?: string;
  exitCode?: number | null;
  /** git's stderr/porcelain output, credentials scrubbed, truncated. */
  output?: string;
}

/** Base of the engine's errors. `name` is fixed per class so Temporal's `nonRetryableErrorTypes` can match it. */
export abstract class GitError extends Error {
  abstract readonly retryable: boolean;
  readonly details: GitErrorDetails;
  constructor(message: string, details: GitErrorDetails = {}) {
    super(message);
    this.details = details;
  }
}

/** The remote refused our identity (bad/expired token, unknown key). Not retryable: fix the credentials. */
export class GitAuthError extends GitError {
  override readonly name = 'GitAuthError';
  readonly retryable = false;
}

/** Retrying cannot help: repository or branch not found, no permission, rejected by a hook, bad input. */
export class GitPermanentError extends GitError {
  override readonly name = 'GitPermanentError';
  readonly retryable = false;
}

/** Network, timeouts, server errors, lock contention: retry later. */
export class GitTransientError extends GitError {
  override readonly name = 'GitTransientError';
  readonly retryable = true;
}

/** Still losing the race to other writers after `maxAttempts`: retryable (a later attempt will usually win). */
export class GitConflictError extends GitError {
  override readonly name = 'GitConflictError';
  readonly retryable = true;
}

/**
 * A file could not be rendered (malformed existing YAML, a mapped file, path, workload or container that does not
 * exist, an invalid descriptor or path). Not retryable: the repository or the configuration must change. Messages
 * name the file and the path, never the file's content.
 */
export class ValuesRenderError extends Error {
  override readonly name = 'ValuesRenderError';
}

// --- classification ------------------------------------------------------------------------------------

const AUTH_PATTERNS = [
  /authentication failed/i,
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /permission denied \((publickey|password|keyboard-interactive)/i,
  /returned error: 401/i,
  /invalid username or password/i,
  /bad credentials/i,
  /HTTP Basic: Access denied/i,
];

/** Checked before the permanent patterns: a refused connection also prints "Could not read from remote repository". */
const TRANSIENT_PATTERNS = [
  /connection (refused|reset|timed out)/i,
  /could(n't| not) (resolve host|connect)/i,
  /failed to connect/i,
  /operation timed out/i,
  /early EOF/i,
  /RPC failed/i,
  /the remote end hung up unexpectedly/i,
  /returned error: (5\d\d|429)/i,
  /unable to create '.*\.lock'/i,
];

const PERMANENT_PATTERNS = [
  /returned error: 40[34]/i,
  /repository not found/i,
  /repository '[^']*' not found/i,
  /does not appear to be a git repository/i,
  /not a git repository/i,
  /permission denied/i,
  /access denied/i,
  /insufficient permission/i,
  /protected branch/i,
  /hook declined/i,
  /unable to find remote helper/i,
  /unsupported protocol/i,
  /host key verification failed/i,
  /not a valid (object name|branch name|ref)/i,
  /bad revision/i,
];

/** Maps a failed git command to an error class from its (scrubbed, C-locale) output. */
export function classify(command: string, exitCode: number, output: string): GitError {
  const details: GitErrorDetails = { command, exitCode, output: tail(output) };
  const classes = [
    [AUTH_PATTERNS, GitAuthError],
    [TRANSIENT_PATTERNS, GitTransientError],
    [PERMANENT_PATTERNS, GitPermanentError],
  ] as const;
  for (const [patterns, ErrorClass] of classes) {
    const re = patterns.find((p) => p.test(output));
    if (re) return new ErrorClass(`git ${command} failed: ${summaryLine(output, re)}`, details);
  }
  return new GitTransientError(`git ${command} failed: ${summaryLine(output)}`, details);
}

/** The line that decided the class (e.g. `ssh: connect to host … Connection refused`), else the first fatal line. */
function summaryLine(output: string, re?: RegExp): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = (re && lines.find((l) => re.test(l))) ?? lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines[0] ?? 'no output';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The end of git's output, bounded so an error never carries megabytes of log. */
export function tail(text: string): string {
  const t = text.trim();
  return t.length > 2000 ? `…${t.slice(-2000)}` : t;
}

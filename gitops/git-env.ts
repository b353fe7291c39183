// The environment of git (and the ssh/askpass it starts): built from an allowlist, never the worker's whole
// process.env — which holds DATABASE_URL, FLOW_ADMIN_TOKEN and every resolved `env:` secret (audit finding 20d).
// What passes: how to find programs and the home directory, the locale, temp dir, an ssh agent and the ssh
// command an operator configured, and the standard proxy and CA variables (a corporate network needs them).
// workspace.ts adds its own variables (C locale, prompts off, committer, askpass) on top.

const PASSED = [
  'PATH',
  'HOME',
  'LANG',
  'TMPDIR',
  'USER',
  'LOGNAME',
  'TZ',
  'GIT_EXEC_PATH',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
] as const;

/** An operator's own ssh setup: passed only when the environment configures no credentials (then ours rule). */
const SSH_SETUP = ['SSH_AUTH_SOCK', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_SSH_VARIANT'] as const;

/** The allowlisted variables of `from` (default: this process). */
export function gitChildEnv(from: NodeJS.ProcessEnv = process.env, opts: { withSshSetup?: boolean } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of [...PASSED, ...(opts.withSshSetup === false ? [] : SSH_SETUP)]) {
    const v = from[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** Default bound of one git command's output (stdout and stderr each); values files are small. */
export const DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

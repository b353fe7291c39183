// Resolves secret references (`env:NAME`, `file:/path`) at the moment a secret is needed. Configuration
// and history only ever hold the reference; the value lives in memory for the call that uses it.
// Restricted (docs/security-notes/secrets.md): `env:` only names variables with the configured prefix
// (FC_SECRET_ENV_PREFIX, default FC_SECRET_), so DATABASE_URL or FLOW_ADMIN_TOKEN can never be shipped to a
// target; `file:` only reads regular files of at most 64 KiB whose real path (symlinks resolved) stays under
// FC_SECRETS_DIR (default /run/secrets), opened non-blocking so a FIFO or device cannot hang the process.
// Messages name the reference (which the configuration shows anyway) but never a value or a resolved path.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { DEFAULT_TARGET_POLICY, secretRefProblem, type TargetPolicy } from '../domain/target-policy.js';

export class SecretError extends Error {
  override readonly name = 'SecretError';
}

export interface SecretResolver {
  resolve(ref: string): string;
}

/** Largest secret file read (an SSH key or a kubeconfig token is a few KiB). */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

export interface SecretResolverOptions extends Partial<Pick<TargetPolicy, 'secretEnvPrefix' | 'secretsDir'>> {
  /**
   * Where `env:NAME` references are looked up: process.env by default, or process.env plus values a process
   * knows without exporting them (the `npm start` sandbox's credentials, dev/start.ts). Names must still
   * carry the prefix.
   */
  env?: Record<string, string | undefined>;
}

export function createSecretResolver(opts: SecretResolverOptions = {}): SecretResolver {
  const policy = {
    secretEnvPrefix: opts.secretEnvPrefix ?? DEFAULT_TARGET_POLICY.secretEnvPrefix,
    secretsDir: opts.secretsDir ?? DEFAULT_TARGET_POLICY.secretsDir,
  };
  const env = opts.env ?? process.env;
  return {
    resolve(ref: string): string {
      const problem = secretRefProblem(ref, policy);
      // A refused reference is not repeated: a row written behind the API's back may hold a literal secret.
      if (problem) throw new SecretError(`secret reference refused: ${problem}`);
      if (ref.startsWith('env:')) {
        const value = env[ref.slice(4)];
        if (!value) throw new SecretError(`secret ${ref} is not set in the environment of this process`);
        return value;
      }
      const value = readSecretFile(ref.slice(5), policy.secretsDir, ref).trim();
      if (!value) throw new SecretError(`secret ${ref} is empty`);
      return value;
    },
  };
}

function readSecretFile(file: string, secretsDir: string, ref: string): string {
  const fail = (why: string): never => {
    throw new SecretError(`secret ${ref} ${why}`);
  };
  let dir: string;
  let real: string;
  try {
    dir = realpathSync(secretsDir);
  } catch (err) {
    return fail(`cannot be read: the secrets directory (FC_SECRETS_DIR) is not readable (${codeOf(err)})`);
  }
  try {
    real = realpathSync(file);
  } catch (err) {
    return fail(`cannot be read: ${codeOf(err)}`);
  }
  if (!real.startsWith(dir + sep)) return fail('resolves outside the secrets directory (FC_SECRETS_DIR)');
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO returns at once (and fstat refuses it) instead of waiting for a writer.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY);
  } catch (err) {
    return fail(`cannot be read: ${codeOf(err)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return fail('is not a regular file');
    if (stat.size > MAX_SECRET_FILE_BYTES) return fail(`is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
    const buf = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_SECRET_FILE_BYTES) return fail(`is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
    }
    return buf.subarray(0, length).toString('utf8');
  } catch (err) {
    if (err instanceof SecretError) throw err;
    return fail(`cannot be read: ${codeOf(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** `scheme://user:password@host` → `scheme://***@host` in any text (an error message quoting a URL). */
export function scrubUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'error';
}

// Resolves secret references (`env:NAME`, `file:/path`) at the moment a secret is needed. Configuration
// and history only ever hold the reference; the value lives in memory for the call that uses it.
import { readFileSync } from 'node:fs';

export class SecretError extends Error {
  override readonly name = 'SecretError';
}

export interface SecretResolver {
  resolve(ref: string): string;
}

/**
 * `env` is where `env:NAME` references are looked up: process.env by default, or process.env plus values a
 * process knows without exporting them (the `npm start` sandbox's credentials, dev/start.ts).
 */
export function createSecretResolver(env: Record<string, string | undefined> = process.env): SecretResolver {
  return {
    resolve(ref: string): string {
      if (ref.startsWith('env:')) {
        const name = ref.slice(4);
        const value = env[name];
        if (!value) throw new SecretError(`secret ${ref} is not set in the environment of this process`);
        return value;
      }
      if (ref.startsWith('file:')) {
        const path = ref.slice(5);
        try {
          const value = readFileSync(path, 'utf8').trim();
          if (!value) throw new SecretError(`secret ${ref} is empty`);
          return value;
        } catch (err) {
          if (err instanceof SecretError) throw err;
          throw new SecretError(`secret ${ref} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
        }
      }
      throw new SecretError(`unsupported secret reference ${JSON.stringify(ref.slice(0, 16))} (use env:NAME or file:/path)`);
    },
  };
}

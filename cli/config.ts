// Where flowctl keeps its server URL and token: $XDG_CONFIG_HOME/flowctl/config.json (else ~/.config/…), a
// 0600 file in a 0700 directory. FLOWCTL_SERVER and FLOWCTL_TOKEN override it (CI), and --server/--token
// override both.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Connection {
  server: string;
  token: string;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'flowctl', 'config.json');
}

export async function readStored(env: NodeJS.ProcessEnv = process.env): Promise<Partial<Connection>> {
  try {
    const parsed = JSON.parse(await readFile(configPath(env), 'utf8')) as Partial<Connection>;
    return {
      ...(typeof parsed.server === 'string' ? { server: parsed.server } : {}),
      ...(typeof parsed.token === 'string' ? { token: parsed.token } : {}),
    };
  } catch {
    return {};
  }
}

export async function store(c: Connection, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = configPath(env);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/** The connection to use: flags, then the environment, then the stored login. */
export async function resolveConnection(
  flags: { server?: string | undefined; token?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Partial<Connection>> {
  const stored = await readStored(env);
  const server = flags.server ?? env.FLOWCTL_SERVER ?? stored.server;
  const token = flags.token ?? env.FLOWCTL_TOKEN ?? stored.token;
  return { ...(server ? { server: server.replace(/\/+$/, '') } : {}), ...(token ? { token } : {}) };
}

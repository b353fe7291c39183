// What every flowctl command reaches: its streams and environment, the global options, the API connection and
// the printer that honours --output.
import type { Api } from './client.js';
import type { Connection } from './config.js';

export interface Io {
  stdout: { write(text: string): void; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): void };
  env: NodeJS.ProcessEnv;
}

export interface Globals {
  server?: string;
  token?: string;
  output: 'text' | 'json';
}

export interface Ctx {
  io: Io;
  globals: () => Globals;
  connect: () => Promise<{ api: Api; conn: Connection }>;
  print: (data: unknown, text: () => string) => void;
}

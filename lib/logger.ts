// Structured logging (pino). Secrets are redacted by path so that a token or password that reaches a
// log call by mistake is never written.
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'token',
  'password',
  'authorization',
  '*.token',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  '*.apiToken',
  '*.secret',
];

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'flow-controller',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  });
}

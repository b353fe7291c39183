// Structured logging (pino). Secrets are redacted by path so that a token or password that reaches a
// log call by mistake is never written. Bindings of the work in progress (a promotion activity's deploymentId,
// releaseId, environment, step) ride an AsyncLocalStorage and are added to every line logged inside it, whichever
// logger writes it (withLogBindings; activities/log-context.ts sets them for every promotion activity).
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

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

const logBindings = new AsyncLocalStorage<Record<string, unknown>>();

/**
 * Runs `fn` with `bindings` added to every line logged inside it (an outer scope's bindings are kept unless
 * overridden). The object itself is the scope's store: later changes to it (addLogBindings) apply at once.
 */
export function withLogBindings<T>(bindings: Record<string, unknown>, fn: () => T): T {
  const outer = logBindings.getStore();
  return logBindings.run(outer ? Object.assign(bindings, { ...outer, ...bindings }) : bindings, fn);
}

/** Adds to (or refines) the bindings of the current withLogBindings scope; no-op outside one. */
export function addLogBindings(bindings: Record<string, unknown>): void {
  const store = logBindings.getStore();
  if (store) Object.assign(store, bindings);
}

/** `destination`: where lines go (default stdout); tests pass a stream to read them. */
export function createLogger(opts: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const options = {
    name: opts.name ?? 'flow-controller',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    mixin: () => logBindings.getStore() ?? {},
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/**
 * A child logger created only when something logs through it (or asks for its own child). The API gives every
 * request one (request id, then actor): most reads never log beyond the request line, and a pino child per
 * request (bindings serialized, redaction set up) was a measurable share of a read's CPU (docs/benchmarks.md).
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = () => (child ??= parent.child(bindings));
  return new Proxy(parent, {
    get(_target, prop) {
      const target = real();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(real(), prop, value);
    },
  });
}

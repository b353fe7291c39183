// `npm run bundle:workflows`: bundles workflows/ once into dist/workflow-bundle-<hash>.js, the file the worker
// (worker.ts startWorker) loads instead of running webpack in its own process at start. `npm start` runs it in
// a child process (dev/start.ts), `npm run build` runs its compiled form over build/ (scripts/build.ts). Does
// nothing when the bundle matching the current sources exists; --force rebuilds it anyway; --traced builds the
// variant with the tracing interceptor (`workflow-bundle-<hash>-traced.js`), --all both. Tests build their own
// bundles (test/harness.ts).
import { fileURLToPath } from 'node:url';
import { prebuiltWorkflowBundle, writeWorkflowBundle } from '../worker.js';

/** The bundle of the current sources (`traced`: with the tracing interceptor, for OTEL_EXPORTER_OTLP_ENDPOINT set). */
export async function ensureWorkflowBundle(force = false, traced = false): Promise<{ file: string; built: boolean }> {
  const existing = force ? undefined : await prebuiltWorkflowBundle(traced);
  if (existing) return { file: existing.codePath, built: false };
  return { file: await writeWorkflowBundle(traced), built: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // --traced: the tracing variant only; --all: both (the image build: tracing is chosen at run time).
  const variants = process.argv.includes('--all') ? [false, true] : [process.argv.includes('--traced')];
  const force = process.argv.includes('--force');
  (async () => {
    for (const traced of variants) {
      const t0 = performance.now();
      const { file, built } = await ensureWorkflowBundle(force, traced);
      const ms = Math.round(performance.now() - t0);
      process.stdout.write(`${built ? 'workflow bundle written' : 'workflow bundle up to date'}: ${file} (${ms} ms)\n`);
    }
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

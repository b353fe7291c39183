// `npm run bundle:workflows`: bundles workflows/ once into dist/workflow-bundle-<hash>.js, the file the worker
// (worker.ts startWorker) loads instead of running webpack in its own process at start. `npm start` runs it in
// a child process (dev/start.ts), `npm run build` runs its compiled form over build/ (scripts/build.ts). Does
// nothing when the bundle matching the current sources exists; --force rebuilds it anyway. Tests build their own bundles (test/harness.ts).
import { fileURLToPath } from 'node:url';
import { prebuiltWorkflowBundle, writeWorkflowBundle } from '../worker.js';

export async function ensureWorkflowBundle(force = false): Promise<{ file: string; built: boolean }> {
  const existing = force ? undefined : await prebuiltWorkflowBundle();
  if (existing) return { file: existing.codePath, built: false };
  return { file: await writeWorkflowBundle(), built: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  ensureWorkflowBundle(process.argv.includes('--force'))
    .then(({ file, built }) => {
      const ms = Math.round(performance.now() - t0);
      process.stdout.write(`${built ? 'workflow bundle written' : 'workflow bundle up to date'}: ${file} (${ms} ms)\n`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

// The replay corpus: real promoteRelease histories exported from the Temporal dev server by the e2e tests,
// committed under test/histories/ and replayed by test/replay.test.ts against the current workflow bundle.
// Parked promotions wait days for an operator or an approval, so every change to the workflow's commands
// must keep these replaying (docs/contributing.md, "Changing the workflow").
//
// Record (or extend) the corpus: `FC_RECORD_HISTORIES=1 npm test -- test/promotion.test.ts
// test/promotion-operator.test.ts test/promotion-recovery.test.ts test/side-door.test.ts
// test/promotion-sync-window.test.ts test/promotion-clusters.test.ts test/promotion-soak.test.ts test/verification-gates.test.ts test/promotion-holds.test.ts test/promotion-freeze.test.ts test/notifications.test.ts test/promotion-queue.test.ts test/auto-promotion.test.ts` (copy the files to
// `<name>.vN.json` first: every generation keeps replaying). Without the variable, recordHistory does nothing.
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import { temporalClient } from './harness.js';

export const HISTORIES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'histories');

/**
 * Saves the latest run of `workflowId` as test/histories/<name>.json when FC_RECORD_HISTORIES is set.
 * `complete`: wait for the run to close first (a parked run is recorded as it stands).
 */
export async function recordHistory(name: string, workflowId: string, opts: { complete?: boolean } = {}): Promise<void> {
  if (!process.env.FC_RECORD_HISTORIES) return;
  const { client, connection } = await temporalClient();
  try {
    const handle = client.workflow.getHandle(workflowId);
    if (opts.complete ?? true) await handle.result().catch(() => undefined);
    // The Temporal CLI writes the standard JSON history format (the SDK's historyToJSON trips over the two
    // protobufjs copies in node_modules).
    const cli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const { stdout } = await promisify(execFile)(
      cli,
      ['workflow', 'show', '--workflow-id', workflowId, '--address', inject('temporalAddress'), '--output', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    await writeFile(join(HISTORIES_DIR, `${name}.json`), JSON.stringify(JSON.parse(stdout), null, 1) + '\n');
  } finally {
    await connection.close();
  }
}

/** Every committed history, with its file name as the workflow id. */
export async function loadHistories(): Promise<Array<{ workflowId: string; history: History }>> {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(join(HISTORIES_DIR, file), 'utf8'))),
    })),
  );
}

// The pre-built workflow bundle (scripts/bundle-workflows.ts → dist/workflow-bundle-<hash>.js): its name follows
// the workflow sources, the worker finds it only while it matches them, and it is a working bundle.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorker, prebuiltWorkflowBundle, workflowSourcesHash } from '../worker.js';
import { ensureWorkflowBundle } from '../scripts/bundle-workflows.js';
import { systemCheck } from '../workflows/index.js';
import { nativeConnection, silentLogger, temporalClient, uniqueName, useTestDatabase } from './harness.js';

const db = useTestDatabase();

describe('workflow sources hash', () => {
  it('changes with any workflows/ or domain/ source or the lockfile, and ignores tests', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fc-bundle-hash-'));
    try {
      await mkdir(join(root, 'workflows'), { recursive: true });
      await mkdir(join(root, 'domain', 'sub'), { recursive: true });
      await writeFile(join(root, 'workflows', 'index.ts'), 'export const a = 1;\n');
      await writeFile(join(root, 'domain', 'sub', 'rules.ts'), 'export const b = 1;\n');
      const first = await workflowSourcesHash(root);
      expect(await workflowSourcesHash(root)).toBe(first);
      await writeFile(join(root, 'domain', 'sub', 'rules.ts'), 'export const b = 2;\n');
      const changed = await workflowSourcesHash(root);
      expect(changed).not.toBe(first);
      await writeFile(join(root, 'workflows', 'index.test.ts'), 'it("x", () => {});\n');
      expect(await workflowSourcesHash(root)).toBe(changed);
      await writeFile(join(root, 'workflows', 'more.ts'), 'export const c = 1;\n');
      const more = await workflowSourcesHash(root);
      expect(more).not.toBe(changed);
      // A dependency bump (the lockfile) rebuilds too: the bundle contains the packages the workflows import.
      await writeFile(join(root, 'package-lock.json'), '{"lockfileVersion":3}\n');
      expect(await workflowSourcesHash(root)).not.toBe(more);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('pre-built workflow bundle', () => {
  it('is written under the current sources hash, found by the worker, and runs a workflow', async () => {
    const { file } = await ensureWorkflowBundle();
    expect(basename(file)).toBe(`workflow-bundle-${await workflowSourcesHash()}.js`);
    expect(existsSync(file)).toBe(true);
    expect(await prebuiltWorkflowBundle()).toEqual({ codePath: file });
    // A second call finds it up to date instead of bundling again.
    expect(await ensureWorkflowBundle()).toEqual({ file, built: false });

    const taskQueue = uniqueName('prebuilt-bundle');
    const connection = await nativeConnection();
    const worker = await createWorker({
      connection,
      namespace: 'default',
      taskQueue,
      deps: { database: db.database, logger: silentLogger },
      workflowBundle: { codePath: file },
    });
    const { client, connection: clientConnection } = await temporalClient();
    try {
      const nonce = randomUUID();
      const result = await worker.runUntil(
        client.workflow.execute(systemCheck, { taskQueue, workflowId: `prebuilt-bundle-${nonce}`, args: [{ nonce }] }),
      );
      expect(result.nonce).toBe(nonce);
    } finally {
      await clientConnection.close();
      await connection.close();
    }
  }, 180_000);

  it('leaves zod out: the sandbox evaluates each imported module once per cached workflow', async () => {
    // A constant imported from a module with zod schemas cost every cached workflow ~0.7 MB (zod's modules and the
    // schemas): 100 promotions in flight, 70 MB of the worker's RSS. domain/workflow-ids.ts holds such names.
    const { file } = await ensureWorkflowBundle();
    const code = await readFile(file, 'utf8');
    const modules = [...code.matchAll(/node_modules\/(zod)\//g)].map((m) => m[1]);
    expect(modules).toEqual([]);
  });
});

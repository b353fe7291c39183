// The real worker code path (createWorker + createActivities) runs a workflow to completion on the real
// Temporal dev server, and its activity talks to a real Postgres database.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createWorker } from '../worker.js';
import { systemCheck } from '../workflows/index.js';
import { nativeConnection, silentLogger, temporalClient, uniqueName, useTestDatabase, workflowBundle } from './harness.js';

const db = useTestDatabase();

describe('systemCheck workflow', () => {
  it('runs to completion through the real worker and activity', async () => {
    const taskQueue = uniqueName('system-check');
    const connection = await nativeConnection();
    const worker = await createWorker({
      connection,
      namespace: 'default',
      taskQueue,
      deps: { database: db.database, logger: silentLogger },
      workflowBundle: await workflowBundle(),
    });
    const { client, connection: clientConnection } = await temporalClient();
    try {
      const nonce = randomUUID();
      const result = await worker.runUntil(
        client.workflow.execute(systemCheck, { taskQueue, workflowId: `system-check-${nonce}`, args: [{ nonce }] }),
      );
      expect(result.nonce).toBe(nonce);
      expect(result.workerIdentity).toBe(taskQueue);
      // The activity really asked Postgres for the time: it is a valid, recent timestamp.
      expect(Math.abs(Date.parse(result.databaseTime) - Date.now())).toBeLessThan(60_000);

      const history = await client.workflow.getHandle(`system-check-${nonce}`).fetchHistory();
      const types = (history.events ?? []).map((e) => e.eventType);
      expect(types.length).toBeGreaterThan(5);
    } finally {
      await clientConnection.close();
      await connection.close();
    }
  });
});

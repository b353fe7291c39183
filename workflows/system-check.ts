// systemCheck: the smallest end-to-end proof that the worker, its activities and the database work
// together on the real Temporal server. Used by tests and by `npm start`'s self-check.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface SystemCheckInput {
  nonce: string;
}
export interface SystemCheckResult {
  nonce: string;
  databaseTime: string;
  workerIdentity: string;
}

const { checkDatabase } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '200 milliseconds' },
  summary: 'check database',
});

export async function systemCheck(input: SystemCheckInput): Promise<SystemCheckResult> {
  const db = await checkDatabase({ nonce: input.nonce });
  return { nonce: input.nonce, databaseTime: db.databaseTime, workerIdentity: db.workerIdentity };
}

// Approval policies on real services (docs/governance.md, "Approval policies"): approvers named by group
// (`group:<name>` entries matched against the groups a token carries), a wait timer before approvals count, and an
// approver's reject, which ends the promotion at the gate with its reason. Enforced where the workflow verifies
// the action (db/operator-actions.ts), so a token outside the policy is refused whatever reaches Temporal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from './harness.js';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture.js';
import { errorOf, type Loose } from './api-harness.js';

const db = useTestDatabase();
let f: PromotionFixture;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  f = await createPromotionFixture(db.database, {
    envs: [
      { key: 'groups', protected: true, approvalsRequired: 2, approvers: ['group:release-managers', 'approver2'] },
      { key: 'timer', protected: true, approvalsRequired: 1, approvalWaitSeconds: 600 },
      { key: 'reject', protected: true, approvalsRequired: 2 },
    ],
  });
  const issue = async (name: string, groups: string[]) => {
    const res = await f.h.call('POST', '/v1/tokens', { body: { name, role: 'promoter', scopes: ['*'], groups } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.groups).toEqual([...groups].sort());
    tokens[name] = res.body.token as string;
  };
  await issue('rm-alice', ['release-managers']);
  await issue('rm-bob', ['release-managers', 'sre']);
  await issue('dev-carol', ['developers']);
  await f.startWorker();
});
afterAll(async () => {
  await f?.close();
});

const act = (envKey: string, id: number, action: string, token: string, body?: unknown) =>
  f.h.call('POST', `/v1/environments/${f.env[envKey]}/deployment-history/${id}/${action}`, { token, ...(body ? { body } : {}) });

async function atGate(envKey: string, tag: string): Promise<number> {
  const releaseId = await f.createRelease(tag);
  const res = await f.promote(releaseId, envKey);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await f.waitFor(envKey, res.body.deploymentId, ['awaiting_approval']);
  return res.body.deploymentId as number;
}

describe('approval policies', () => {
  it('counts approvers by group membership and by principal; a token outside both is refused', async () => {
    const id = await atGate('groups', '3.1.0');
    const outsider = await act('groups', id, 'approve', tokens['dev-carol'] as string);
    expect(outsider.status).toBe(409);
    expect(errorOf(outsider.body).message).toMatch(/is not an approver/);
    expect((await act('groups', id, 'approve', tokens['rm-alice'] as string)).status).toBe(200);
    const second = await act('groups', id, 'approve', tokens['rm-bob'] as string);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const d = await f.waitFor('groups', id, ['succeeded', 'failed', 'awaiting_operator']);
    expect(d.status).toBe('succeeded');
  });

  it('opens approvals only after the wait timer, counted from when the promotion reached its gate', async () => {
    const id = await atGate('timer', '3.2.0');
    const early = await act('timer', id, 'approve', f.tokens.approver1);
    expect(early.status).toBe(409);
    const left = Number(/approvals open in (\d+) s \(wait timer/.exec(errorOf(early.body).message)?.[1]);
    // Counted from the gate a moment ago: nearly all of the 600 s are left (not, say, from the release's creation).
    expect(left).toBeGreaterThan(500);
    expect(left).toBeLessThanOrEqual(600);
    // The policy is read when the action is verified: shortening the timer opens the gate for the next approval.
    const name = f.env.timer as string;
    const env = await f.h.call('GET', `/v1/environments/${name}`);
    const { config } = env.body as { config: Record<string, unknown> };
    expect((await f.h.call('PUT', `/v1/environments/${name}`, { body: { ...config, approvalWaitSeconds: 0 } })).status).toBe(200);
    const accepted = await act('timer', id, 'approve', f.tokens.approver1);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const d = await f.waitFor('timer', id, ['succeeded', 'failed', 'awaiting_operator']);
    expect(d.status).toBe('succeeded');
  });

  it('a reject ends the promotion at the gate with its reason; it needs a reason and an approver', async () => {
    const id = await atGate('reject', '3.3.0');
    expect((await act('reject', id, 'approve', f.tokens.approver1)).status).toBe(200);
    const noReason = await act('reject', id, 'reject', f.tokens.approver2);
    expect(noReason.status).toBe(400);
    const byInitiator = await act('reject', id, 'reject', f.tokens.promoter, { comment: 'mine' });
    expect(byInitiator.status).toBe(409);
    expect(errorOf(byInitiator.body).message).toMatch(/initiator of a promotion cannot reject/);
    const rejected = await act('reject', id, 'reject', f.tokens.approver2, { comment: 'CVE-2026-1234 in the base image' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const d = await f.waitFor('reject', id, ['aborted', 'failed', 'succeeded']);
    expect(d.status).toBe('aborted');
    expect(d.currentReleaseId ?? null).toBeNull();
    const abort = d.actions.find((a: Loose) => a.action === 'abort');
    expect(abort.comment).toBe('rejected at approval: CVE-2026-1234 in the base image');
    // Nothing reached Git: the gate comes before the push.
    expect(d.commitSha).toBeNull();
    const audit = await f.h.call('GET', `/v1/audit?subjectId=${id}`);
    expect(audit.body.events.map((e: Loose) => e.action)).toContain('deployment.reject_requested');
    // Once ended, nothing to reject.
    const late = await act('reject', id, 'reject', f.tokens.approver1, { comment: 'late' });
    expect(late.status).toBe(409);
  });
});

// Approval policies (docs/governance.md, "Approval policies"): who may approve or reject a promotion at the
// approval gate, and when. Pure; the workflow's action verification (db/operator-actions.ts) and the API use it.

/** An approver entry naming a group of principals: `group:<name>`; any other entry is a principal. */
export const GROUP_PREFIX = 'group:';
/** A group name, as a token carries it (lower case, short: groups are compared as given). */
export const GROUP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const MAX_GROUPS_PER_TOKEN = 20;
/** A token's name or principal. */
export const PRINCIPAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

export function isGroupEntry(entry: string): boolean {
  return entry.startsWith(GROUP_PREFIX);
}

/**
 * May this principal (with these token groups) decide at the gate? An empty approver list lets anyone with the
 * promoter role in scope decide; otherwise the principal must be listed, or one of its groups as `group:<name>`.
 * (The initiator's principal never decides: checked separately, it needs the deployment.)
 */
export function isEligibleApprover(approvers: readonly string[], principal: string, groups: readonly string[]): boolean {
  if (approvers.length === 0) return true;
  for (const entry of approvers) {
    if (isGroupEntry(entry) ? groups.includes(entry.slice(GROUP_PREFIX.length)) : entry === principal) return true;
  }
  return false;
}

/**
 * How much of the wait timer is left (ms, 0 when approvals are open): approvals count only `waitSeconds` after the
 * promotion reached its approval gate, like a protected environment's wait timer.
 */
export function approvalWaitRemainingMs(gateEnteredAt: Date | null, waitSeconds: number, now: Date): number {
  if (waitSeconds <= 0 || !gateEnteredAt) return 0;
  return Math.max(0, gateEnteredAt.getTime() + waitSeconds * 1000 - now.getTime());
}

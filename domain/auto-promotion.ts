// Auto-promotion (docs/governance.md "Auto-promotion"): an environment may follow one upstream environment, promoting
// automatically the newest release that has met its rule there. The rule's parts are pure and live here: the
// configuration, which upstream release is the candidate, and when it becomes eligible.
import { z } from 'zod';

export const AUTO_PROMOTE_WHEN = ['succeeded', 'verified'] as const;
export type AutoPromoteWhen = (typeof AUTO_PROMOTE_WHEN)[number];

/** The initiator of every promotion auto-promotion starts (history, audit, Temporal memo). */
export const AUTO_PROMOTION_INITIATOR = 'system:auto-promotion';

/** Longest soak auto-promotion accepts: 30 days. */
export const MAX_AUTO_PROMOTE_SOAK_SECONDS = 30 * 86_400;

export const AutoPromoteConfig = z
  .object({
    /** The upstream environment to follow: one of the environment's `upstream`. */
    from: z.string().min(1).max(63),
    /** What the release must have done there: `succeeded` (became current) or `verified` (gates passed and soaked). */
    when: z.enum(AUTO_PROMOTE_WHEN).default('succeeded'),
    /** How long after it first became current there the release is eligible (0: at once). */
    soakSeconds: z.number().int().min(0).max(MAX_AUTO_PROMOTE_SOAK_SECONDS).default(0),
  })
  .strict();
export type AutoPromoteConfig = z.infer<typeof AutoPromoteConfig>;

/** A release that succeeded in the upstream environment, with what the choice needs to know about it. */
export interface UpstreamRelease {
  releaseId: string;
  /** Creation order of releases: auto-promotion only moves forward. */
  seq: number;
  productVersion: string;
  /** When it first became current upstream (its first succeeded deployment there finished). */
  becameCurrentAt: Date;
  /** Its newest verification row upstream is `verified`. */
  verified: boolean;
  /** Why it may not go, whatever the soak: rejected, rolled back upstream, failed or rolled back in the target. */
  excluded: string | null;
}

export type AutoPromoteChoice =
  | { kind: 'eligible'; release: UpstreamRelease; eligibleAt: Date }
  | { kind: 'soaking'; release: UpstreamRelease; eligibleAt: Date }
  | { kind: 'none'; reason: string };

/** When a release's soak ends: soakSeconds after it first became current upstream. */
export function eligibleAtOf(release: Pick<UpstreamRelease, 'becameCurrentAt'>, soakSeconds: number): Date {
  return new Date(release.becameCurrentAt.getTime() + soakSeconds * 1000);
}

/**
 * The choice: of the upstream releases newer than the target's current one that are not excluded (and verified
 * upstream when `when` is `verified`), the newest whose soak has ended. Soak counts from when a release first became
 * current upstream and is not reset when a newer release replaces it there, so a stream of new releases upstream
 * cannot starve the last good one: the target lags upstream by the soak, never forever. When none is eligible yet,
 * the one whose soak ends first is reported (the next moment to look).
 */
export function chooseAutoPromotion(input: {
  config: Pick<AutoPromoteConfig, 'when' | 'soakSeconds'>;
  /** Sequence of the target's current release (null: nothing current yet). */
  currentSeq: number | null;
  upstream: UpstreamRelease[];
  now: Date;
}): AutoPromoteChoice {
  const newer = input.upstream.filter((r) => input.currentSeq === null || r.seq > input.currentSeq);
  if (newer.length === 0) {
    return {
      kind: 'none',
      reason:
        'no release newer than the current one is eligible upstream (succeeded there, not rejected, not rolled back, not failed here before)',
    };
  }
  const open = newer.filter((r) => r.excluded === null && (input.config.when === 'succeeded' || r.verified));
  if (open.length === 0) {
    const newest = [...newer].sort((a, b) => b.seq - a.seq)[0] as UpstreamRelease;
    return {
      kind: 'none',
      reason: newest.excluded ?? `release ${newest.releaseId} (${newest.productVersion}) is not verified upstream yet`,
    };
  }
  const withTimes = open.map((release) => ({ release, eligibleAt: eligibleAtOf(release, input.config.soakSeconds) }));
  const ready = withTimes.filter((c) => c.eligibleAt.getTime() <= input.now.getTime()).sort((a, b) => b.release.seq - a.release.seq);
  if (ready[0]) return { kind: 'eligible', ...ready[0] };
  const next = [...withTimes].sort((a, b) => a.eligibleAt.getTime() - b.eligibleAt.getTime())[0] as (typeof withTimes)[number];
  return { kind: 'soaking', ...next };
}

export { autoPromotionWorkflowId } from './workflow-ids.js';

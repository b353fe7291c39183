// Custom search attributes of promotion workflows (sandbox-safe: imported by workflows, API and the
// dev-server launcher, which registers them at start). Never put secrets in search attributes.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ReleaseIdKey = defineSearchAttributeKey('ReleaseId', SearchAttributeType.KEYWORD);
export const EnvironmentKey = defineSearchAttributeKey('Environment', SearchAttributeType.KEYWORD);
/**
 * A promotion's status (domain/promotion.ts PROMOTION_STATUSES): promoteRelease keeps it current; a queued
 * promotion's waiter (queuedPromotion) shows `queued`, then `pending` when it starts it, or how it ended
 * (`superseded`, `aborted`, `failed`).
 */
export const PromotionStateKey = defineSearchAttributeKey('PromotionState', SearchAttributeType.KEYWORD);
export const DeploymentIdKey = defineSearchAttributeKey('DeploymentId', SearchAttributeType.KEYWORD);

/** `yes` on a promotion an admin started through a freeze window (docs/governance.md); absent otherwise. */
export const BreakGlassKey = defineSearchAttributeKey('BreakGlass', SearchAttributeType.KEYWORD);

export const CUSTOM_SEARCH_ATTRIBUTES = [ReleaseIdKey, EnvironmentKey, PromotionStateKey, DeploymentIdKey, BreakGlassKey];

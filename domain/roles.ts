// Who may do what. Roles are ordered viewer < releaser < promoter < admin: each includes the ones below.
// A promoter is further limited to its environment scopes (`dev`, `staging`, or `*` for all); an admin
// passes every check. Pure so that the API guards and any later workflow-side check share one rule.
import { z } from 'zod';

export const ROLES = ['viewer', 'releaser', 'promoter', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** An environment name or `*`. */
export const Scope = z.string().regex(/^(\*|[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)$/, 'a scope is an environment name or "*"');
export type Scope = z.infer<typeof Scope>;

/** The authenticated caller of a request. */
export const Actor = z.object({
  tokenId: z.string(),
  name: z.string(),
  /** Who holds the token; approvals and the initiator rule compare principals. */
  principal: z.string(),
  role: Role,
  scopes: z.array(z.string()),
});
export type Actor = z.infer<typeof Actor>;

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export interface Requirement {
  role: Role;
  /** For environment-bound actions: the environment the action touches. */
  environment?: string;
}

export function isAllowed(actor: Pick<Actor, 'role' | 'scopes'>, requirement: Requirement): boolean {
  if (actor.role === 'admin') return true;
  if (roleRank(actor.role) < roleRank(requirement.role)) return false;
  // Scopes bound promotion rights only: reading an environment needs no scope.
  if (requirement.environment === undefined || requirement.role !== 'promoter') return true;
  return actor.scopes.includes('*') || actor.scopes.includes(requirement.environment);
}

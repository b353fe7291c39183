// Bearer-token authentication and role/scope guards for the API.
//
// Tokens are `fct_` + 32 random bytes (base64url); only their SHA-256 is stored. A guard is route
// middleware: `requireRole('releaser')`, or `requireRole('promoter', { environment: (c) => c.req.param('env') })`
// for environment-bound actions. It authenticates (401 UNAUTHENTICATED without a valid, unrevoked token),
// sets c.var.actor, then authorises (403 FORBIDDEN when the role or scope is insufficient; admins pass
// everything). Guards run before request validation, so an anonymous caller learns nothing about a route.
// The bootstrap admin token (FLOW_ADMIN_TOKEN) is stored hashed on first use, like any other token, and stops
// working as soon as FLOW_ADMIN_TOKEN changes (rotation revokes it; security audit finding 17).
// Tokens never appear in logs, audit details or error messages.
import { hash as sha, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';
import type { AppEnv } from './context.js';
import { isAllowed, type Actor, type Role } from '../domain/roles.js';
import { ensureBootstrapToken, findTokenByHash, type TokenRow } from '../db/tokens.js';
import { recordAudit } from '../db/audit.js';
import { lazyChild } from '../lib/logger.js';

export const TOKEN_PREFIX = 'fct_';
/** `created_by` of the token stored from FLOW_ADMIN_TOKEN. */
const BOOTSTRAP_SOURCE = 'FLOW_ADMIN_TOKEN';

/** OpenAPI `security` entry for protected routes. */
export const bearerSecurity = [{ bearerAuth: [] as string[] }];

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return sha('sha256', token, 'hex'); // one-shot: a third of createHash().update().digest()'s cost per request
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

function bearer(c: Context<AppEnv>): string {
  const header = c.req.header('authorization');
  if (!header) throw new ApiError('UNAUTHENTICATED', 'Missing Authorization: Bearer <token> header');
  const match = /^Bearer +([\x21-\x7e]{1,512})\s*$/i.exec(header);
  if (!match?.[1]) throw new ApiError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"');
  return match[1];
}

function actorFrom(row: TokenRow): Actor {
  return { tokenId: row.id, name: row.name, principal: row.principal, role: row.role, scopes: row.scopes };
}

/** The hash of FLOW_ADMIN_TOKEN, computed once per value rather than per request. */
let bootstrapHash: { token: string; hash: string } | undefined;
function hashOfBootstrap(token: string): string {
  if (bootstrapHash?.token !== token) bootstrapHash = { token, hash: hashToken(token) };
  return bootstrapHash.hash;
}

async function lookup(c: Context<AppEnv>, token: string): Promise<TokenRow | undefined> {
  const { database, config, logger, reads } = c.get('deps');
  const hash = hashToken(token);
  // A cached row is at most TOKEN_CACHE_TTL_MS old; revocations through this process drop it at once.
  const cached = reads.tokens.get(hash);
  const stamp = reads.tokens.stamp();
  const row = cached ?? (await findTokenByHash(database.db, { tokenHash: hash }));
  if (row && !cached) reads.tokens.set(hash, row, stamp);
  const bootstrap = config.FLOW_ADMIN_TOKEN;
  const isBootstrap = bootstrap !== undefined && sameHash(hashOfBootstrap(bootstrap), hash);
  if (row) {
    if (!sameHash(row.tokenHash, hash)) return undefined;
    // A stored bootstrap token lives only while FLOW_ADMIN_TOKEN still names it: rotating the variable revokes it.
    if (row.createdBy === BOOTSTRAP_SOURCE && !isBootstrap) return undefined;
    return row;
  }
  if (!isBootstrap) return undefined;
  return database.db.transaction(async (tx) => {
    const { row: stored, created } = await ensureBootstrapToken(tx, { tokenHash: hash });
    if (created) {
      await recordAudit(tx, {
        actor: { name: stored.name, tokenId: stored.id },
        action: 'token.bootstrap',
        subjectType: 'token',
        subjectId: stored.id,
        requestId: c.get('requestId'),
        details: { name: stored.name, role: stored.role, source: 'FLOW_ADMIN_TOKEN' },
      });
      logger.info({ tokenId: stored.id }, 'bootstrap admin token stored (hashed)');
    }
    return stored;
  });
}

/** Authenticates the request (once) and returns its actor. */
export async function authenticate(c: Context<AppEnv>): Promise<Actor> {
  const existing = c.get('actor') as Actor | undefined;
  if (existing) return existing;
  const row = await lookup(c, bearer(c));
  if (!row) throw new ApiError('UNAUTHENTICATED', 'Unknown API token');
  if (row.revokedAt) throw new ApiError('UNAUTHENTICATED', 'API token has been revoked');
  const actor = actorFrom(row);
  c.set('actor', actor);
  c.set('logger', lazyChild(c.get('logger'), { actor: actor.name, tokenId: actor.tokenId }));
  return actor;
}

export interface RoleOptions {
  /** The environment an environment-bound action touches (a name, or read from the request). */
  environment?: string | ((c: Context<AppEnv>) => string | undefined);
}

/** Guard: the caller must hold `role` (or a higher one) and, for environment-bound actions, the scope. */
export function requireRole(role: Role, opts: RoleOptions = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = await authenticate(c);
    const environment = typeof opts.environment === 'function' ? opts.environment(c) : opts.environment;
    if (!isAllowed(actor, { role, ...(environment === undefined ? {} : { environment }) })) {
      const scope = environment === undefined ? '' : ` with scope "${environment}"`;
      throw new ApiError('FORBIDDEN', `This action needs the ${role} role${scope}; token "${actor.name}" has ${actor.role}`);
    }
    await next();
  };
}

/** The authenticated actor of a request that passed a guard. */
export function actorOf(c: Context<AppEnv>): Actor {
  const actor = c.get('actor') as Actor | undefined;
  if (!actor) throw new Error('actorOf() called on a route without an auth guard');
  return actor;
}

// API token management (admin), and "who am I" for any token.
//   POST   /v1/tokens            issue a token (the secret is in this response only)   admin
//   GET    /v1/tokens            list tokens (never hashes or secrets)                 admin
//   DELETE /v1/tokens/:tokenId   revoke a token                                        admin
//   GET    /v1/tokens/self       the calling token                                     viewer
import { z } from '@hono/zod-openapi';
import { createRouter } from '../app.js';
import { ApiError } from '../errors.js';
import { actorOf, generateToken, hashToken } from '../auth.js';
import { protectedRoute } from '../openapi.js';
import { Role, Scope } from '../../domain/roles.js';
import { getToken, insertToken, listTokens, revokeToken, tokenInfo, type TokenInfo as TokenInfoRow } from '../../db/tokens.js';
import { recordAudit } from '../../db/audit.js';
import { isReservedPrincipal } from '../../domain/promotion.js';
import { GROUP_NAME, MAX_GROUPS_PER_TOKEN, PRINCIPAL_NAME } from '../../domain/approval.js';

const TokenInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    role: Role,
    scopes: z.array(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
    revokedAt: z.string().nullable(),
    principal: z.string().openapi({ description: 'The person or system the token belongs to; approvals count per principal' }),
    groups: z.array(z.string()).openapi({ description: 'Approver groups of the holder (`group:<name>` entries of environments)' }),
  })
  .openapi('TokenInfo');

function view(row: TokenInfoRow): z.infer<typeof TokenInfo> {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
    principal: row.principal,
    groups: row.groups,
  };
}

const NameLike = z.string().regex(PRINCIPAL_NAME, '1-100 of letters, digits, ".", "_", "@", "-"');

const CreateToken = z
  .object({
    name: NameLike,
    principal: NameLike.optional().openapi({
      description:
        "Who holds the token (a person or a system). Default: the name. Two tokens of one principal count as one approver, and the initiator's principal never approves",
    }),
    role: Role,
    scopes: z
      .array(Scope)
      .max(100)
      .optional()
      .openapi({ description: 'Environments a promoter may promote to ("*" for all); promoters only' }),
    groups: z
      .array(z.string().regex(GROUP_NAME, 'lower-case letters, digits, ".", "_", "-" (at most 63)'))
      .max(MAX_GROUPS_PER_TOKEN)
      .optional()
      .openapi({ description: 'Groups of the holder: an environment approver entry `group:<name>` admits every token of the group' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const key of ['name', 'principal'] as const) {
      const value = v[key];
      if (value !== undefined && isReservedPrincipal(value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${value}" is reserved for the system's own actions` });
      }
    }
    if (v.role === 'promoter' && (v.scopes ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'a promoter needs at least one environment scope (or "*")' });
    }
    if (v.role !== 'promoter' && (v.scopes ?? []).length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['scopes'],
        message: `scopes apply to promoters only (${v.role === 'admin' ? 'admins may promote everywhere' : 'this role cannot promote'})`,
      });
    }
  })
  .openapi('CreateTokenRequest');

const IdParam = z.object({ tokenId: z.guid().openapi({ param: { name: 'tokenId', in: 'path' } }) });

const createTokenRoute = protectedRoute('admin', {
  method: 'post',
  path: '/v1/tokens',
  tags: ['tokens'],
  summary: 'Issue an API token',
  description: 'The token itself is returned once, here; only its SHA-256 is stored.',
  request: { body: { content: { 'application/json': { schema: CreateToken } }, required: true } },
  responses: {
    201: {
      description: 'Issued',
      content: { 'application/json': { schema: TokenInfo.extend({ token: z.string() }).openapi('IssuedToken') } },
    },
  },
  errors: [400, 415],
});

const listTokensRoute = protectedRoute('admin', {
  method: 'get',
  path: '/v1/tokens',
  tags: ['tokens'],
  summary: 'List API tokens',
  responses: {
    200: { description: 'Tokens', content: { 'application/json': { schema: z.object({ tokens: z.array(TokenInfo) }) } } },
  },
  errors: [],
});

const revokeRoute = protectedRoute('admin', {
  method: 'delete',
  path: '/v1/tokens/{tokenId}',
  tags: ['tokens'],
  summary: 'Revoke an API token',
  request: { params: IdParam },
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: TokenInfo } } },
  },
  errors: [400, 404, 409],
});

const selfRoute = protectedRoute('viewer', {
  method: 'get',
  path: '/v1/tokens/self',
  tags: ['tokens'],
  summary: 'The calling token: name, role and scopes',
  responses: {
    200: { description: 'The caller', content: { 'application/json': { schema: TokenInfo } } },
  },
  errors: [],
});

export const tokenRoutes = createRouter()
  .openapi(selfRoute, async (c) => {
    const row = await getToken(c.var.deps.database.db, { id: actorOf(c).tokenId });
    if (!row) throw new ApiError('UNAUTHENTICATED', 'Unknown API token');
    return c.json(view(row), 200);
  })
  .openapi(createTokenRoute, async (c) => {
    const input = c.req.valid('json');
    const actor = actorOf(c);
    const token = generateToken();
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      const inserted = await insertToken(tx, {
        name: input.name,
        principal: input.principal ?? input.name,
        role: input.role,
        scopes: [...new Set(input.scopes ?? [])].sort(),
        groups: [...new Set(input.groups ?? [])].sort(),
        tokenHash: hashToken(token),
        createdBy: actor.name,
      });
      await recordAudit(tx, {
        actor,
        action: 'token.create',
        subjectType: 'token',
        subjectId: inserted.id,
        requestId: c.var.requestId,
        details: {
          name: inserted.name,
          principal: inserted.principal,
          role: inserted.role,
          scopes: inserted.scopes,
          groups: inserted.groups,
        },
      });
      return inserted;
    });
    return c.json({ ...view(tokenInfo(row)), token }, 201);
  })
  .openapi(listTokensRoute, async (c) => {
    const rows = await listTokens(c.var.deps.database.db);
    return c.json({ tokens: rows.map(view) }, 200);
  })
  .openapi(revokeRoute, async (c) => {
    const { tokenId } = c.req.valid('param');
    const actor = actorOf(c);
    // Dropped from this process's token cache before and after the commit: no request authenticated with it
    // once the revocation answers (other API processes: within TOKEN_CACHE_TTL_MS).
    c.var.deps.reads.tokens.invalidate(tokenId);
    const row = await c.var.deps.database.db.transaction(async (tx) => {
      const revoked = await revokeToken(tx, { id: tokenId });
      if (!revoked) {
        const existing = await getToken(tx, { id: tokenId });
        if (!existing) throw new ApiError('TOKEN_NOT_FOUND', `No token ${tokenId}`);
        throw new ApiError('CONFLICT', `Token ${tokenId} is already revoked`);
      }
      await recordAudit(tx, {
        actor,
        action: 'token.revoke',
        subjectType: 'token',
        subjectId: tokenId,
        requestId: c.var.requestId,
        details: { name: revoked.name, role: revoked.role },
      });
      return revoked;
    });
    c.var.deps.reads.tokens.invalidate(tokenId);
    return c.json(view(row), 200);
  });

// Data access for API tokens. Only hashes are stored or looked up; the plain token never reaches this module.
import { asc, eq, and, isNull } from 'drizzle-orm';
import type { Tx } from './client.js';
import { apiTokens } from './schema.js';
import type { Role } from '../domain/roles.js';

export type TokenRow = typeof apiTokens.$inferSelect;
/** A token as the API shows it: never the hash. */
export type TokenInfo = Omit<TokenRow, 'tokenHash'>;

export function tokenInfo(row: TokenRow): TokenInfo {
  const { tokenHash: _hash, ...info } = row;
  return info;
}

export interface InsertTokenInput {
  name: string;
  /** Who holds the token; approvals count per principal. Default: the name. */
  principal?: string;
  role: Role;
  scopes: string[];
  /** Approver groups (domain/approval.ts); default none. */
  groups?: string[];
  tokenHash: string;
  createdBy: string;
}

export async function insertToken(tx: Tx, input: InsertTokenInput): Promise<TokenRow> {
  const [row] = await tx
    .insert(apiTokens)
    .values({ ...input, principal: input.principal ?? input.name })
    .returning();
  if (!row) throw new Error('token insert returned no row');
  return row;
}

export async function findTokenByHash(tx: Tx, input: { tokenHash: string }): Promise<TokenRow | undefined> {
  const [row] = await tx.select().from(apiTokens).where(eq(apiTokens.tokenHash, input.tokenHash)).limit(1);
  return row;
}

/**
 * The bootstrap admin token (FLOW_ADMIN_TOKEN), stored on first use like any other. Concurrent first uses
 * race on the unique hash index; the loser reads the winner's row. `created` says whether this call wrote it.
 */
export async function ensureBootstrapToken(tx: Tx, input: { tokenHash: string }): Promise<{ row: TokenRow; created: boolean }> {
  const [inserted] = await tx
    .insert(apiTokens)
    .values({
      name: 'bootstrap-admin',
      principal: 'bootstrap-admin',
      role: 'admin',
      scopes: ['*'],
      tokenHash: input.tokenHash,
      createdBy: 'FLOW_ADMIN_TOKEN',
    })
    .onConflictDoNothing({ target: apiTokens.tokenHash })
    .returning();
  if (inserted) return { row: inserted, created: true };
  const existing = await findTokenByHash(tx, input);
  if (!existing) throw new Error('bootstrap token vanished after a conflicting insert');
  return { row: existing, created: false };
}

export async function listTokens(tx: Tx): Promise<TokenInfo[]> {
  const rows = await tx.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
  return rows.map(tokenInfo);
}

export async function getToken(tx: Tx, input: { id: string }): Promise<TokenInfo | undefined> {
  const [row] = await tx.select().from(apiTokens).where(eq(apiTokens.id, input.id)).limit(1);
  return row ? tokenInfo(row) : undefined;
}

/** Revokes a token; undefined if it does not exist or was already revoked. */
export async function revokeToken(tx: Tx, input: { id: string }): Promise<TokenInfo | undefined> {
  const [row] = await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, input.id), isNull(apiTokens.revokedAt)))
    .returning();
  return row ? tokenInfo(row) : undefined;
}

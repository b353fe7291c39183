// Template resolution shared by the template and release routes: a product version to its stored revision.
import { ApiError } from '../errors.js';
import { resolutionChain } from '../../domain/semver.js';
import { resolveTemplate, type TemplateRow } from '../../db/templates.js';
import type { Tx } from '../../db/client.js';

function chainFor(productVersion: string): string[] {
  const chain = resolutionChain(productVersion);
  if (!chain) {
    throw new ApiError('INVALID_PRODUCT_VERSION', `"${productVersion}" is not a semantic version (e.g. 2.4.1, 2.5.0-rc.1) nor "default"`);
  }
  return chain;
}

/** Resolves a product version to a stored template revision (404 TEMPLATE_NOT_FOUND when nothing matches). */
export async function resolveOrThrow(db: Tx, productVersion: string): Promise<TemplateRow> {
  const chain = chainFor(productVersion);
  const row = await resolveTemplate(db, { chain });
  if (!row) throw new ApiError('TEMPLATE_NOT_FOUND', `No template for ${productVersion} (tried ${chain.join(' → ')})`, { tried: chain });
  return row;
}

// OpenAPI helpers shared by the route files: the protected-route declaration (guard, security and error
// responses in one place) and JSON bodies documented by a schema but validated by the domain.
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { bearerSecurity, requireRole, type RoleOptions } from './auth.js';
import { errorResponses } from './errors.js';
import type { Role } from '../domain/roles.js';

/** Error statuses a route itself can answer (the guard's 401/403 are added by protectedRoute). */
export type RouteErrorStatus = 400 | 404 | 409 | 413 | 415 | 422 | 503;

/**
 * A route behind `requireRole(role, opts)`: bearer security, the guard as middleware, and the error
 * responses. `errors` is required, so every protected route declares its own errors; 401 (no or bad token)
 * is always possible, 403 whenever the role is above viewer (every token is at least a viewer).
 */
export function protectedRoute<const R extends Omit<RouteConfig, 'security' | 'middleware'> & { errors: readonly RouteErrorStatus[] }>(
  role: Role,
  definition: R,
  opts: RoleOptions = {},
) {
  const { errors, responses, ...rest } = definition;
  const guardErrors = role === 'viewer' ? [401] : [401, 403];
  return createRoute({
    ...rest,
    security: bearerSecurity,
    middleware: [requireRole(role, opts)] as const,
    responses: { ...responses, ...errorResponses(...guardErrors, ...errors) },
  });
}

/**
 * A body schema that documents `schema` in OpenAPI but accepts any JSON: the domain walker validates it
 * and reports every problem as 422, where a zod validator would stop at the first broken branch with a 400.
 */
export function documentedJson(schema: z.ZodType, description: string) {
  const { $schema: _drop, ...jsonSchema } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return z.unknown().openapi({ ...jsonSchema, description } as Record<string, unknown>);
}

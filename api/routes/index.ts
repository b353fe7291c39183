// The API's resource routers, mounted by createApp(). Each file in this folder is one resource.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';

export function apiRouters(): Array<[string, OpenAPIHono<AppEnv>]> {
  return [];
}

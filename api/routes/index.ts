// The API's resource routers, mounted by createApp(). Each file in this folder is one resource.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { auditRoutes } from './audit.js';
import { environmentRoutes } from './environments.js';
import { promotionRoutes } from './promotions.js';
import { releaseRoutes } from './releases.js';
import { templateRoutes } from './templates.js';
import { tokenRoutes } from './tokens.js';
import { uiRoutes } from './ui.js';

export function apiRouters(): Array<[string, OpenAPIHono<AppEnv>]> {
  return [
    ['/', templateRoutes],
    ['/', releaseRoutes],
    ['/', tokenRoutes],
    ['/', auditRoutes],
    ['/', environmentRoutes],
    ['/', promotionRoutes],
    ['/', uiRoutes], // the web UI's static assets (no auth; the app calls the API with the user's token)
  ];
}

// The API's resource routers, mounted by createApp(). Each route file here is one resource (environments and
// their deployment history are two); shared schemas live in ../schemas.ts, logic in ../services/.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { auditRoutes } from './audit.js';
import { autoPromotionRoutes } from './auto-promotion.js';
import { deploymentRoutes } from './deployments.js';
import { doraRoutes } from './dora.js';
import { environmentRoutes } from './environments.js';
import { eventRoutes } from './events.js';
import { freezeRoutes } from './freezes.js';
import { holdRoutes } from './holds.js';
import { incidentRoutes } from './incidents.js';
import { notificationRoutes } from './notifications.js';
import { promotionRoutes } from './promotions.js';
import { queueRoutes } from './queue.js';
import { releaseRoutes } from './releases.js';
import { reverifyRoutes } from './reverify.js';
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
    ['/', deploymentRoutes],
    ['/', incidentRoutes],
    ['/', doraRoutes],
    ['/', promotionRoutes],
    ['/', queueRoutes],
    ['/', freezeRoutes],
    ['/', holdRoutes],
    ['/', autoPromotionRoutes],
    ['/', eventRoutes],
    ['/', reverifyRoutes],
    ['/', notificationRoutes],
    ['/', uiRoutes], // the web UI's static assets (no auth; the app calls the API with the user's token)
  ];
}

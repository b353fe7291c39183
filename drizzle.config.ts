// drizzle-kit configuration: `npm run db:generate` writes SQL migrations from db/schema.ts and db/promotion-schema.ts.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './db/schema.ts',
    './db/promotion-schema.ts',
    './db/verification-schema.ts',
    './db/governance-schema.ts',
    './db/event-schema.ts',
    './db/notification-schema.ts',
  ],
  out: './db/migrations',
});

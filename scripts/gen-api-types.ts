// Generates ui/src/api-types.ts from the API's OpenAPI document, so the UI's view of the API is the API's own
// description and `tsc` catches drift. `npm run gen:api-types` writes the file; ui/api-types.test.ts fails when the
// committed file is stale. The document is built in-process from the routers: no database, Temporal or server.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { createApp, OPENAPI_INFO } from '../api/app.js';
import type { AppDeps } from '../api/context.js';
import { apiRouters } from '../api/routes/index.js';
import { createLogger } from '../lib/logger.js';

export const API_TYPES_FILE = fileURLToPath(new URL('../ui/src/api-types.ts', import.meta.url));
export const REGENERATE_COMMAND = 'npm run gen:api-types';

const HEADER = `// Generated from the API's OpenAPI document by scripts/gen-api-types.ts. Do not edit: run \`${REGENERATE_COMMAND}\`.
// The UI names the shapes it reads in ui/src/types.ts.
`;

/** The document GET /openapi.json serves. Building it never touches the dependencies, so none are given. */
export function openApiDocument(): OpenAPI3 {
  // Only the route definitions matter: the derived dependencies are given as empty stand-ins so that nothing
  // is built from the (absent) database and Temporal client.
  const logger = createLogger({ level: 'silent' });
  const deps = { config: { BODY_LIMIT_BYTES: 0 }, targets: {}, promotions: {}, preflight: {}, logger } as unknown as AppDeps;
  const app = createApp(deps, apiRouters());
  return app.getOpenAPI31Document(OPENAPI_INFO) as unknown as OpenAPI3;
}

/** The text ui/src/api-types.ts must have: openapi-typescript's output, formatted with the project's Prettier config. */
export async function generateApiTypes(): Promise<string> {
  const ast = await openapiTS(openApiDocument(), { silent: true, alphabetize: true });
  const source = HEADER + '\n' + astToString(ast);
  const options = (await resolveConfig(API_TYPES_FILE)) ?? {};
  return format(source, { ...options, filepath: API_TYPES_FILE });
}

async function main(): Promise<void> {
  await writeFile(API_TYPES_FILE, await generateApiTypes());
  console.log(`wrote ${API_TYPES_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

// `npm run temporal`: the Temporal dev server alone, in the foreground, as `npm start` runs it (file-backed
// under FC_DATA_DIR, the custom search attributes registered, Web UI on TEMPORAL_UI_PORT), for running
// `npm run worker` and `npm run api` as separate processes. Ctrl-C (SIGINT) or SIGTERM stops it.
import { join, resolve } from 'node:path';
import { loadConfigOrExit } from './config.js';
import { startDevServer } from './temporal-dev-server.js';

const config = loadConfigOrExit();
const [host, port] = config.TEMPORAL_ADDRESS.split(':');
const server = await startDevServer({
  ip: host,
  port: Number(port),
  uiPort: config.TEMPORAL_UI_PORT,
  dbFilename: join(resolve(config.FC_DATA_DIR), 'temporal', 'dev.sqlite'),
  namespace: config.TEMPORAL_NAMESPACE,
  logLevel: 'error',
});
console.log(`Temporal dev server on ${server.address} (namespace ${config.TEMPORAL_NAMESPACE}), Web UI ${server.uiUrl}. Ctrl-C stops it.`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
server.process.once('exit', (code, signal) => {
  if (stopping) return;
  console.error(`Temporal dev server exited with ${code ?? signal}`);
  process.exit(1);
});

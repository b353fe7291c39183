// The configuration for the dev entry points (`npm start`, `npm run temporal`): a malformed or missing
// variable ends the process with its message and exit code 2, not a stack trace.
import { ConfigError, loadConfig, type Config } from '../lib/config.js';

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

// flowctl's entry point when bundled as a standalone package (scripts/pack-cli.ts): the same program as
// cli/flowctl.mjs runs from a clone, compiled ahead of time, so the installed package needs neither tsx nor any
// dependency.
import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });

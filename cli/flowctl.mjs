#!/usr/bin/env node
// flowctl's executable (package.json "bin"): runs the TypeScript sources through tsx, the project's own runner,
// so `npx flowctl …` works from a clone with nothing to build. cli/main.ts is the program.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });

#!/usr/bin/env node
// Entry point of the `weightlens` command; the code lives in lib/ (built by `npm run build`).
import { run } from '../lib/cli/main.js';

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = code;

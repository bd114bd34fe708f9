#!/usr/bin/env node
import { main } from './main.js';

// The process edge: signals become an AbortSignal; a second signal exits at once.
const controller = new AbortController();
let signals = 0;
for (const name of ['SIGTERM', 'SIGINT'] as const) {
  process.on(name, () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`received ${name}`));
  });
}

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }, controller.signal);
process.exitCode = code;
// Anything still holding the event loop (a stray timer, a socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2000).unref();

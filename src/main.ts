import { parseArgs, USAGE } from './args.js';
import { DEFAULT_CONFIG_PATH } from './config/load.js';
import { configCheck } from './commands/config-check.js';
import { demo } from './commands/demo.js';
import { println, type Io } from './commands/io.js';
import { once } from './commands/once.js';
import { plan } from './commands/plan.js';
import { start } from './commands/start.js';
import { status } from './commands/status.js';

/** Dispatch a command line. Returns the exit code. `signal` is aborted on SIGTERM/SIGINT. */
export async function main(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  const args = parseArgs(argv);
  if ('error' in args) {
    println(io.stderr, args.error);
    return 1;
  }
  const file = args.config ?? DEFAULT_CONFIG_PATH;
  if (args.flags.has('help')) {
    println(io.stdout, USAGE);
    return 0;
  }
  switch (args.command) {
    case 'start':
      return start(file, io, signal);
    case 'once':
      return once(file, io, signal);
    case 'plan':
      return plan(file, args.positional[0], io, args.json);
    case 'status':
      return status(file, io, args.json);
    case 'config':
      if (args.positional[0] === 'check') return configCheck(file, io);
      println(io.stderr, 'usage: opsbeat config check [--config file]');
      return 1;
    case 'demo':
      return demo(io, signal);
    case 'help':
      println(io.stdout, USAGE);
      return 0;
    default:
      println(io.stderr, `unknown command "${args.command}"\n\n${USAGE}`);
      return 1;
  }
}

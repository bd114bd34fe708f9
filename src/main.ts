import { parseArgs, USAGE } from './args.js';
import { DEFAULT_CONFIG_PATH } from './config/load.js';
import { println, type Io } from './commands/io.js';

/**
 * Dispatch a command line. Returns the exit code. `signal` is aborted on SIGTERM/SIGINT.
 * Each command is loaded when it runs, so `help` and `config check` do not load every adapter.
 */
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
      return (await import('./commands/start.js')).start(file, io, signal);
    case 'once':
      return (await import('./commands/once.js')).once(file, io, signal);
    case 'plan':
      return (await import('./commands/plan.js')).plan(file, args.positional[0], io, args.json);
    case 'status':
      return (await import('./commands/status.js')).status(file, io, args.json);
    case 'config':
      if (args.positional[0] === 'check') return (await import('./commands/config-check.js')).configCheck(file, io);
      println(io.stderr, 'usage: opsbeat config check [--config file]');
      return 1;
    case 'demo':
      return (await import('./commands/demo.js')).demo(io, signal);
    case 'help':
      println(io.stdout, USAGE);
      return 0;
    default:
      println(io.stderr, `unknown command "${args.command}"\n\n${USAGE}`);
      return 1;
  }
}

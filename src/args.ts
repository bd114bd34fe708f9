/** The command line: `opsbeat <command> [args] [--config file] [--json] [--keep]`. */
export interface ParsedArgs {
  command: string;
  positional: string[];
  config: string | undefined;
  json: boolean;
  flags: Set<string>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs | { error: string } {
  const positional: string[] = [];
  const flags = new Set<string>();
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '-c') {
      config = argv[++i];
      if (!config) return { error: `${arg} needs a file name` };
    } else if (arg.startsWith('--config=')) {
      config = arg.slice('--config='.length);
    } else if (arg.startsWith('--')) {
      flags.add(arg.slice(2));
    } else if (arg === '-h') {
      flags.add('help');
    } else {
      positional.push(arg);
    }
  }
  const [command = 'help', ...rest] = positional;
  return { command, positional: rest, config, json: flags.has('json'), flags };
}

export const USAGE = `opsbeat — ships ready tickets to Fly.io, proves them healthy, rolls back the ones that are not.

Usage: opsbeat <command> [--config config/opsbeat.yaml]

Commands:
  start            run the daemon: a heartbeat now, then on the schedule
  once             run one heartbeat and exit (0: it ran; 1: a step failed; 2: another daemon leads)
  plan <ticket>    show the gate decision and deploy plan for a ticket; nothing is executed (--json)
  status           recent heartbeats, deployments and open questions (--json)
  config check     validate the configuration and the environment it needs
  demo             a full heartbeat in a sandbox: simulated Fly, sample tickets, this terminal as chat
  help             this text
`;

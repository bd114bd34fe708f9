import { parseDuration } from '../config/duration.js';

/**
 * What someone asked opsbeat, parsed from the plain text of a mention. Pure. A known command
 * word with arguments that do not fit is `malformed` (the reply quotes the usage); anything that
 * does not start with a command word is a `question`, answered from the ledger.
 */

export type CommandName = 'help' | 'status' | 'deploy' | 'rollback' | 'lock' | 'unlock' | 'silence' | 'incident' | 'scale';
export type Severity = 1 | 2 | 3 | 4;

export type Command =
  | { kind: 'help' }
  | { kind: 'status'; app?: string }
  | { kind: 'deploy'; ticket: string }
  | { kind: 'rollback'; app: string }
  | { kind: 'lock'; scope: string; reason: string; durationMs?: number }
  | { kind: 'unlock'; scope: string }
  | { kind: 'silence'; app: string; durationMs: number; reason?: string }
  | { kind: 'incident'; severity: Severity; text: string }
  | { kind: 'scale'; app: string; count: number }
  | { kind: 'malformed'; command: CommandName; problem: string }
  | { kind: 'question'; text: string };

export const USAGE: Record<CommandName, string> = {
  help: 'help',
  status: 'status [app]',
  deploy: 'deploy <ticket>',
  rollback: 'rollback <app>',
  lock: 'lock <app|all> <reason> [for <duration>]',
  unlock: 'unlock <app|all>',
  silence: 'silence <app> <duration> [reason]',
  incident: 'incident <sev1-4> <text>',
  scale: 'scale <app> <count>',
};

export const MAX_SCALE = 100;

const NAMES = Object.keys(USAGE) as CommandName[];

export function parseCommand(text: string): Command {
  const words = text.trim().replace(/^[:,\s]+/, '').split(/\s+/).filter(Boolean);
  const name = (words[0] ?? '').toLowerCase().replace(/[?!.:,]+$/, '');
  if (!NAMES.includes(name as CommandName)) return { kind: 'question', text: text.trim() };
  const args = words.slice(1);
  const bad = (problem: string): Command => ({ kind: 'malformed', command: name as CommandName, problem });
  switch (name as CommandName) {
    case 'help':
      return { kind: 'help' };
    case 'status':
      if (args.length > 1) return bad('status takes at most one app');
      return args[0] ? { kind: 'status', app: args[0].toLowerCase() } : { kind: 'status' };
    case 'deploy':
      if (args.length === 0) return bad('name the ticket, e.g. deploy OPS-101');
      if (args.length > 1) return bad('deploy takes one ticket');
      return { kind: 'deploy', ticket: args[0]! };
    case 'rollback':
      if (args.length === 0) return bad('name the app');
      if (args.length > 1) return bad('rollback takes one app');
      return { kind: 'rollback', app: args[0]!.toLowerCase() };
    case 'lock':
      return parseLock(args, bad);
    case 'unlock':
      if (args.length === 0) return bad('name an app, or all');
      if (args.length > 1) return bad('unlock takes one app, or all');
      return { kind: 'unlock', scope: args[0]!.toLowerCase() };
    case 'silence': {
      const [app, duration, ...reason] = args;
      if (!app) return bad('name the app');
      if (!duration) return bad('say for how long, e.g. silence billing 2h');
      const durationMs = positiveDuration(duration);
      if (durationMs === undefined) return bad(notADuration(duration));
      return { kind: 'silence', app: app.toLowerCase(), durationMs, ...(reason.length ? { reason: reason.join(' ') } : {}) };
    }
    case 'incident': {
      const [sev, ...rest] = args;
      if (!sev) return bad('give a severity (sev1 to sev4) and say what is wrong');
      const severity = /^(?:sev)?([1-4])$/i.exec(sev)?.[1];
      if (!severity) return bad(`the severity is sev1, sev2, sev3 or sev4, not "${sev}"`);
      if (rest.length === 0) return bad('say what is wrong');
      return { kind: 'incident', severity: Number(severity) as Severity, text: rest.join(' ') };
    }
    case 'scale': {
      if (args.length < 2) return bad('name the app and the number of machines');
      if (args.length > 2) return bad('scale takes an app and a number of machines');
      const count = /^\d{1,3}$/.test(args[1]!) ? Number(args[1]) : Number.NaN;
      if (!(count >= 0 && count <= MAX_SCALE)) return bad(`"${args[1]}" is not a number of machines from 0 to ${MAX_SCALE}`);
      return { kind: 'scale', app: args[0]!.toLowerCase(), count };
    }
  }
}

function parseLock(args: string[], bad: (problem: string) => Command): Command {
  const [scope, ...rest] = args;
  if (!scope) return bad('name an app, or all');
  let durationMs: number | undefined;
  // "… for 2h" sets an expiry; "… waiting for carol" is just the reason.
  if (rest.length >= 2 && rest.at(-2)!.toLowerCase() === 'for' && /^\d/.test(rest.at(-1)!)) {
    const duration = rest.at(-1)!;
    durationMs = positiveDuration(duration);
    if (durationMs === undefined) return bad(notADuration(duration));
    rest.splice(-2);
  }
  if (rest.length === 0) return bad('say why, e.g. lock billing db migration running for 2h');
  return { kind: 'lock', scope: scope.toLowerCase(), reason: rest.join(' '), ...(durationMs === undefined ? {} : { durationMs }) };
}

function positiveDuration(text: string): number | undefined {
  const ms = parseDuration(text.toLowerCase());
  return ms !== undefined && ms > 0 ? ms : undefined;
}

function notADuration(text: string): string {
  return `"${text}" is not a duration such as 30m, 2h or 1d`;
}

import { BadResponseError, FlyCommandError, InvariantError, TimeoutError } from '../../errors.js';

/**
 * Every error the Fly adapter raises, one function per code, so their wording lives in one
 * place. Values go in fields; the only value in a message is flyctl's own `Error:` text, which
 * is already redacted when it gets here.
 */

export type FlyCallKind = 'read' | 'logs' | 'deploy';

/** flyctl's command words without flags, e.g. ['secrets','list',...] → "fly secrets list". */
export function commandName(argv: readonly string[]): string {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  return ['fly', ...words].join(' ');
}

export function flyTokenMissing(argv: readonly string[]): FlyCommandError {
  return new FlyCommandError('fly_token_missing', 'no Fly API token is configured', {
    argv,
    exitCode: undefined,
    timedOut: false,
    stderrTail: '',
    details:
      'Set `FLY_API_TOKEN` in opsbeat\'s environment: a deploy token for one app ' +
      '(`fly tokens create deploy -a APP`) or an org token (`fly tokens create org -o ORG`).',
  });
}

export function flySpawnFailed(argv: readonly string[], bin: string, reason: string): FlyCommandError {
  return new FlyCommandError('fly_not_started', 'flyctl could not be started', {
    argv,
    exitCode: undefined,
    timedOut: false,
    stderrTail: '',
    fields: { bin, reason },
    details: `Check \`platform.fly.bin\` (now \`${bin}\`): it must name the flyctl executable, on PATH or as a path.`,
  });
}

export function flyTimedOut(argv: readonly string[], kind: FlyCallKind, timeoutMs: number, stderrTail: string): TimeoutError {
  const setting = `platform.fly.timeouts.${kind}`;
  const hint =
    kind === 'deploy'
      ? 'The deploy may have changed some machines: read `fly releases` and `fly status` before acting again.'
      : kind === 'logs'
        ? '`fly logs --no-tail` keeps polling while the app has no log lines, so this can also mean "no logs yet".'
        : 'Fly\'s API may be slow or unreachable; the call is safe to retry.';
  return new TimeoutError('flyctl did not finish in time', timeoutMs, {
    service: 'fly',
    retryable: kind !== 'deploy',
    fields: { argv, kind, stderrTail },
    details: `flyctl ran longer than \`${setting}\` (${timeoutMs} ms) and was stopped with its whole process tree. ${hint}`,
  });
}

export function flyCancelled(argv: readonly string[]): FlyCommandError {
  return new FlyCommandError('fly_cancelled', 'flyctl call was cancelled', {
    argv,
    exitCode: undefined,
    timedOut: false,
    stderrTail: '',
    details: 'opsbeat is shutting down or the heartbeat was aborted; the call was stopped with its process tree.',
  });
}

export function flyOutputTooLarge(argv: readonly string[], maxBuffer: number): FlyCommandError {
  return new FlyCommandError('fly_output_too_large', 'flyctl printed more output than opsbeat accepts', {
    argv,
    exitCode: undefined,
    timedOut: false,
    stderrTail: '',
    fields: { maxBuffer },
  });
}

/**
 * A non-zero exit. flyctl prints `Error: <text>` on stderr (reference 1.5); 126 means its own
 * deadline fired and 127 that it was interrupted, both worth one more try for reads.
 */
export function flyCommandFailed(
  argv: readonly string[],
  kind: FlyCallKind,
  exitCode: number | undefined,
  signal: string | undefined,
  stderr: string,
): FlyCommandError {
  const name = commandName(argv);
  const errorText = flyErrorLine(stderr);
  const message = errorText
    ? `${name} failed: ${errorText}`
    : exitCode === 126
      ? `${name} stopped at flyctl's own deadline (exit 126)`
      : exitCode === 127
        ? `${name} was interrupted inside flyctl (exit 127)`
        : exitCode === undefined
          ? `${name} was killed by ${signal ?? 'a signal'}`
          : `${name} failed with exit code ${exitCode}`;
  return new FlyCommandError('fly_command_failed', message, {
    argv,
    exitCode,
    timedOut: false,
    stderrTail: tail(stderr, 20),
    retryable: kind !== 'deploy' && (exitCode === 126 || exitCode === 127),
    fields: signal ? { signal } : {},
    details:
      kind === 'deploy'
        ? 'The deploy did not finish: read `fly releases` and `fly status` to see which machines changed.'
        : 'Check the app name and that the token may read this app.',
  });
}

export function flyBadOutput(argv: readonly string[], issues: readonly string[], stdout: string): BadResponseError {
  return new BadResponseError(`${commandName(argv)} returned output that is not the expected JSON`, issues, {
    service: 'fly',
    fields: { argv, excerpt: excerpt(stdout) },
  });
}

export function flyBadArgument(what: 'app' | 'image' | 'strategy' | 'env' | 'limit' | 'waitTimeoutMs', value: unknown): InvariantError {
  return new InvariantError(`refusing to pass an invalid ${what} to flyctl`, { fields: { [what]: value } });
}

/** The text of flyctl's first `Error: ...` line, single-line and bounded. */
function flyErrorLine(stderr: string): string | undefined {
  for (const line of stderr.split('\n')) {
    const clean = line.replace(/\u001b\[[0-9;]*m/g, '').trim();
    if (clean.startsWith('Error: ')) {
      const text = clean.slice('Error: '.length).trim();
      return text.length > 240 ? `${text.slice(0, 239)}…` : text || undefined;
    }
  }
  return undefined;
}

function tail(text: string, lines: number): string {
  return text.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
}

function excerpt(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

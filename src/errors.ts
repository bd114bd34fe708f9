/**
 * The error hierarchy. Every error that crosses a module boundary is an OpsbeatError with a
 * stable snake_case `code` (used in the ledger, logs and metrics), a one-line `message` that
 * carries no values, and `details` in markdown saying what a human should do.
 * Adapters translate transport errors at their boundary; steps never see raw library errors.
 */

export interface OpsbeatErrorOptions {
  details?: string;
  cause?: unknown;
  fields?: Record<string, unknown>;
}

export class OpsbeatError extends Error {
  readonly code: string;
  readonly details: string;
  /** Values that belong with the error but not in its message (safe to log; redacted at the sink). */
  readonly fields: Record<string, unknown>;

  constructor(code: string, message: string, options: OpsbeatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? '';
    this.fields = options.fields ?? {};
  }
}

/** A problem in the configuration file or environment: names the key and the fix. */
export class ConfigError extends OpsbeatError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options: OpsbeatErrorOptions = {}) {
    super('config_invalid', 'the configuration is invalid', {
      ...options,
      details: options.details ?? problems.map((p) => `- ${p}`).join('\n'),
    });
    this.problems = problems;
  }
}

/** Bad input in a ticket: carries the line number, never the offending value when it is secret. */
export class TicketInputError extends OpsbeatError {
  readonly line: number | undefined;
  constructor(code: string, message: string, line: number | undefined, options: OpsbeatErrorOptions = {}) {
    super(code, message, options);
    this.line = line;
  }
}

export type ExternalService = 'fly' | 'github' | 'slack' | 'http' | 'database' | 'board' | 'chat';

export interface ExternalErrorOptions extends OpsbeatErrorOptions {
  service: ExternalService;
  retryable?: boolean;
  retryAfterMs?: number;
  status?: number;
}

/** A call to something outside the process failed. */
export class ExternalError extends OpsbeatError {
  readonly service: ExternalService;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  constructor(code: string, message: string, options: ExternalErrorOptions) {
    super(code, message, options);
    this.service = options.service;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

export class RateLimitedError extends ExternalError {
  constructor(message: string, options: ExternalErrorOptions) {
    super('rate_limited', message, { retryable: true, ...options });
  }
}

export class TimeoutError extends ExternalError {
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number, options: ExternalErrorOptions) {
    super('timeout', message, { retryable: true, ...options, fields: { timeoutMs, ...options.fields } });
    this.timeoutMs = timeoutMs;
  }
}

/** The other side answered, but not with something we understand (wraps zod issues). */
export class BadResponseError extends ExternalError {
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[], options: ExternalErrorOptions) {
    super('bad_response', message, {
      ...options,
      details: options.details ?? issues.map((i) => `- ${i}`).join('\n'),
    });
    this.issues = issues;
  }
}

export interface FlyCommandErrorOptions extends Omit<ExternalErrorOptions, 'service'> {
  argv: readonly string[];
  exitCode: number | undefined;
  timedOut: boolean;
  /** Last lines of stderr, already redacted. */
  stderrTail: string;
}

/** A flyctl invocation failed: exit code, timeout or cancellation. */
export class FlyCommandError extends ExternalError {
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  readonly stderrTail: string;
  constructor(code: string, message: string, options: FlyCommandErrorOptions) {
    super(code, message, { ...options, service: 'fly' });
    this.argv = options.argv;
    this.exitCode = options.exitCode;
    this.timedOut = options.timedOut;
    this.stderrTail = options.stderrTail;
  }
}

/** A bug: something that cannot happen did. */
export class InvariantError extends OpsbeatError {
  constructor(message: string, options: OpsbeatErrorOptions = {}) {
    super('invariant_violated', message, options);
  }
}

export function asOpsbeatError(err: unknown): OpsbeatError {
  if (err instanceof OpsbeatError) return err;
  if (err instanceof Error) {
    return new OpsbeatError('unexpected_error', err.message.split('\n')[0] ?? 'unexpected error', { cause: err });
  }
  return new OpsbeatError('unexpected_error', String(err));
}

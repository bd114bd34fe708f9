import { pino, type Logger, type DestinationStream } from 'pino';
import type { Redactor } from './redactor.js';

export type { Logger } from 'pino';

/**
 * Field vocabulary, fixed: hb, step, ticket, app, deployment, adapter, cmd, status, durationMs, err.
 * Warn and above use constant messages with the variables in fields.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'env',
  '*.env',
  'secret',
  '*.secret',
  'databaseUrl',
  '*.databaseUrl',
];

export interface LoggerOptions {
  level?: string;
  redactor: Redactor;
  /** Where JSON lines go; defaults to stdout. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** The one root logger of a process: redaction by field path, then by value on every line. */
export function createLogger(options: LoggerOptions): Logger {
  const { redactor } = options;
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: (line) => redactor.redact(line) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/logging/redactor.js';

export interface CapturedLogs {
  logger: Logger;
  redactor: Redactor;
  /** Every line written so far, parsed. */
  lines: Record<string, unknown>[];
  /** Every line written so far, raw (after redaction). */
  raw: string[];
}

/** A real pino logger whose JSON lines are captured for assertions. */
export function captureLogs(options: { level?: string; redactor?: Redactor } = {}): CapturedLogs {
  const redactor = options.redactor ?? new Redactor();
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = createLogger({ level: options.level ?? 'debug', redactor, destination });
  return { logger, redactor, lines, raw };
}

import { asOpsbeatError } from '../errors.js';
import type { Redactor } from '../logging/redactor.js';
import { println, type Io } from './io.js';

/** A failure of opsbeat itself, for the person at the terminal: code, message, what to do. Redacted. */
export function reportError(io: Io, err: unknown, redactor: Redactor): void {
  const e = asOpsbeatError(err);
  println(io.stderr, redactor.redact(`opsbeat: ${e.message} [${e.code}]`));
  if (e.details) println(io.stderr, redactor.redact(e.details));
}

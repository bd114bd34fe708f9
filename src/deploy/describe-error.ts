import { TimeoutError, type OpsbeatError } from '../errors.js';

/**
 * An error in words for a ticket comment or #standup. Most messages already say what failed; a
 * timeout's message is generic on purpose (it groups in logs), so people get the command, the
 * limit and the setting that holds it.
 */
export function describeError(err: OpsbeatError): string {
  if (!(err instanceof TimeoutError)) return err.message;
  const limit = err.timeoutMs % 60_000 === 0 ? `${err.timeoutMs / 60_000} min` : `${Math.round(err.timeoutMs / 1000)} s`;
  const argv = Array.isArray(err.fields.argv) ? err.fields.argv.map(String) : [];
  const flag = argv.findIndex((arg) => arg.startsWith('-'));
  const words = flag < 0 ? argv : argv.slice(0, flag);
  if (words.length === 0 || typeof err.fields.kind !== 'string') return `${err.message} (limit ${limit})`;
  return `fly ${words.join(' ')} did not finish within ${limit} (platform.fly.timeouts.${err.fields.kind}); opsbeat stopped it`;
}

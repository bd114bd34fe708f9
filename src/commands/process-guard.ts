import type { Logger } from '../logging/logger.js';

/** Exit code of a daemon that stopped on an error nothing handled (EX_SOFTWARE). */
export const UNHANDLED_EXIT_CODE = 70;

/**
 * What the daemon does with an error nothing caught: log it through the redacting logger (Node's
 * default handler would print it, secrets and all, to stderr) and exit non-zero. The machine
 * restarts the process, and the start-up heartbeat reconciles whatever deploy was in flight.
 */
export function fatalHandler(log: Logger, exit: (code: number) => void): (err: unknown, origin: string) => void {
  return (err, origin) => {
    log.fatal({ err, origin }, 'an error nothing handled; exiting so the process restarts clean');
    exit(UNHANDLED_EXIT_CODE);
  };
}

/** Install the handler for the life of the daemon; returns the uninstaller. */
export function guardProcess(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const fatal = fatalHandler(log, exit);
  const onException = (err: Error, origin: string): void => fatal(err, origin);
  const onRejection = (reason: unknown): void => fatal(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

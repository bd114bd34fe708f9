import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { checkEnvironment, loadConfig } from '../config/load.js';
import type { Config } from '../config/normalise.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { Redactor } from '../logging/redactor.js';
import { println, type Io } from './io.js';

export interface Booted {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  logFile: string | undefined;
}

/**
 * Load and check the configuration, register every secret of the environment for redaction, and
 * build the root logger. Problems are printed (one line each, with the key and the fix) and
 * undefined is returned: the command exits non-zero.
 */
export async function bootstrap(
  file: string,
  io: Io,
  options: { logTo: 'stdout' | 'stderr' | 'file'; requireEnvironment: boolean },
): Promise<Booted | undefined> {
  const result = await loadConfig(file, io.env, io.cwd);
  if (!result.ok) {
    for (const line of result.errors) println(io.stderr, line);
    println(io.stderr, `opsbeat cannot start: fix ${file} (opsbeat config check shows the same list)`);
    return undefined;
  }
  const { config, written } = result;
  if (options.requireEnvironment) {
    const environment = checkEnvironment(written, io.env);
    for (const line of environment.warnings) println(io.stderr, `warning: ${line}`);
    if (environment.errors.length > 0) {
      for (const line of environment.errors) println(io.stderr, line);
      return undefined;
    }
  }
  const redactor = new Redactor();
  const named = Object.values(config.apps).flatMap((a) => (a.database ? [a.database.urlEnv] : []));
  redactor.addFromEnv(io.env, named);
  if (config.store.url) redactor.add(config.store.url);

  const level = io.env.LOG_LEVEL || config.log.level;
  let logFile: string | undefined;
  let destination;
  if (options.logTo === 'file') {
    logFile = path.join(config.store.dataDir, 'opsbeat.log');
    mkdirSync(path.dirname(logFile), { recursive: true });
    destination = pino.destination({ dest: logFile, sync: true, mkdir: true });
  } else {
    destination = pino.destination({ dest: options.logTo === 'stdout' ? 1 : 2, sync: true });
  }
  const logger = createLogger({ level, redactor, destination });
  return { config, logger, redactor, logFile };
}

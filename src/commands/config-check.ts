import { checkEnvironment, loadConfig } from '../config/load.js';
import { println, type Io } from './io.js';

/** `opsbeat config check`: every problem with the file and the environment, one line each. */
export async function configCheck(file: string, io: Io): Promise<number> {
  const result = await loadConfig(file, io.env, io.cwd);
  if (!result.ok) {
    for (const line of result.errors) println(io.stderr, line);
    println(io.stderr, `${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} in ${file}`);
    return 1;
  }
  const environment = checkEnvironment(result.written, io.env);
  for (const line of [...result.warnings, ...environment.warnings]) println(io.stderr, `warning: ${line}`);
  for (const line of environment.errors) println(io.stderr, line);
  if (environment.errors.length > 0) return 1;
  const { config } = result;
  println(
    io.stdout,
    `${file}: OK — board ${config.board.kind}, chat ${config.chat.kind}, store ${config.store.url ? 'postgres' : `embedded (${config.store.dataDir})`}, ${Object.keys(config.apps).length} app${Object.keys(config.apps).length === 1 ? '' : 's'}, schedule "${config.schedule}" ${config.timezone}`,
  );
  return 0;
}

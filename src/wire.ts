import path from 'node:path';
import type { Config } from './config/normalise.js';
import type { Logger } from './logging/logger.js';
import type { Redactor } from './logging/redactor.js';
import type { HeartbeatDeps } from './heartbeat/context.js';
import type { Board } from './adapters/board/types.js';
import type { Chat } from './adapters/chat/types.js';
import type { SqlStore } from './adapters/store/types.js';
import { FileBoard } from './adapters/board/file-board.js';
import { GithubBoard } from './adapters/board/github/github-board.js';
import type { GithubTuning } from './adapters/board/github/client.js';
import { ConsoleChat } from './adapters/chat/console-chat.js';
import { SlackChat } from './adapters/chat/slack/slack-chat.js';
import { FlyPlatform } from './adapters/platform/fly-platform.js';
import { HttpProbes } from './adapters/probes/http-probes.js';
import { openStore } from './adapters/store/open-store.js';
import { SqlLedger } from './adapters/store/sql-ledger.js';
import { inspectSchema } from './gate/inspect-schema.js';
import { FLYCTL_SIMULATOR, SIMULATOR_ENV } from './demo/simulated-apps.js';

export interface WireOptions {
  logger: Logger;
  redactor: Redactor;
  /** Where the console chat writes (a terminal). */
  chatOut: { write(text: string): unknown; isTTY?: boolean };
  /** Extra environment variable names flyctl may see (the simulator's files, in the demo and tests). */
  passEnv?: readonly string[];
  /** Where the embedded store keeps its migrated template (makes fresh stores fast). */
  cacheDir?: string;
  now?: () => Date;
  /** How the GitHub board waits between retries and writes (tests and the benchmark shorten it). */
  github?: GithubTuning;
}

export interface Wiring {
  deps: HeartbeatDeps;
  store: SqlStore;
  close(): Promise<void>;
}

/**
 * The one place that builds the real adapters from configuration and the environment. Everything
 * else receives them (STYLE R6). Secrets come from `env`, never from the configuration file.
 */
export async function wire(config: Config, env: NodeJS.ProcessEnv, options: WireOptions): Promise<Wiring> {
  const { logger, redactor } = options;
  const now = options.now ?? (() => new Date());
  const store = await openStore({
    url: config.store.url,
    dataDir: config.store.dataDir,
    cacheDir: options.cacheDir,
    logger: logger.child({ adapter: 'store' }),
  });
  try {
    const deps: HeartbeatDeps = {
      config,
      ledger: new SqlLedger(store),
      board: await createBoard(config, env, options, now),
      chat: createChat(config, env, options, now),
      platform: FlyPlatform.create(config.platform.fly, env, logger, redactor, { passEnv: flyPassEnv(config, options.passEnv) }),
      probes: new HttpProbes({ logger: logger.child({ adapter: 'probes' }) }),
      inspectSchema: (url, checks) => inspectSchema(url, checks),
      logger,
      redactor,
      now,
      secret: (name) => env[name] || undefined,
    };
    return { deps, store, close: () => store.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Names flyctl may see besides PATH and HOME. When `platform.fly.bin` is the bundled Fly simulator
 * (demo, process tests), its two state-file variables go through too, so `opsbeat once --config`
 * drives the same simulator the demo does; a real flyctl never gets them. They hold file paths,
 * not secrets.
 */
function flyPassEnv(config: Config, passEnv: readonly string[] = []): string[] {
  const simulator = path.resolve(config.platform.fly.bin) === FLYCTL_SIMULATOR ? SIMULATOR_ENV : [];
  return [...new Set([...passEnv, ...simulator])];
}

async function createBoard(config: Config, env: NodeJS.ProcessEnv, options: WireOptions, now: () => Date): Promise<Board> {
  if (config.board.kind === 'files') return FileBoard.create(config, now);
  return GithubBoard.create(config, env, options.logger, options.redactor, { now, ...(options.github ? { tuning: options.github } : {}) });
}

function createChat(config: Config, env: NodeJS.ProcessEnv, options: WireOptions, now: () => Date): Chat {
  if (config.chat.kind === 'console') {
    return new ConsoleChat({
      out: options.chatOut,
      transcriptPath: config.chat.console.transcript,
      color: config.chat.console.color ?? Boolean(options.chatOut.isTTY),
      redactor: options.redactor,
      now,
    });
  }
  return SlackChat.create(config.chat.slack, env, options.logger, options.redactor);
}

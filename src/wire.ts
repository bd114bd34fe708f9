import path from 'node:path';
import type { Config } from './config/normalise.js';
import type { Logger } from './logging/logger.js';
import type { Redactor } from './logging/redactor.js';
import type { HeartbeatDeps } from './heartbeat/context.js';
import type { Board } from './adapters/board/types.js';
import type { Chat } from './adapters/chat/types.js';
import type { SqlStore } from './adapters/store/types.js';
import { FileBoard } from './adapters/board/file-board.js';
import { ConsoleChat } from './adapters/chat/console-chat.js';
import { FlyPlatform } from './adapters/platform/fly-platform.js';
import { HttpProbes } from './adapters/probes/http-probes.js';
import { openStore } from './adapters/store/open-store.js';
import { SqlLedger } from './adapters/store/sql-ledger.js';
import { inspectSchema } from './gate/inspect-schema.js';
import { ConfigError } from './errors.js';

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
      board: createBoard(config, now),
      chat: createChat(config, options, now),
      platform: FlyPlatform.create(config.platform.fly, env, logger, redactor, { passEnv: options.passEnv ?? [] }),
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

function createBoard(config: Config, now: () => Date): Board {
  if (config.board.kind === 'files') return FileBoard.create(config, now);
  throw new ConfigError(['board.kind: "github" needs the GitHub board adapter, which this build does not include yet; use "files"']);
}

function createChat(config: Config, options: WireOptions, now: () => Date): Chat {
  if (config.chat.kind === 'console') {
    return new ConsoleChat({
      out: options.chatOut,
      transcriptPath: config.chat.console.transcript,
      color: config.chat.console.color ?? Boolean(options.chatOut.isTTY),
      redactor: options.redactor,
      now,
    });
  }
  throw new ConfigError(['chat.kind: "slack" needs the Slack chat adapter, which this build does not include yet; use "console"']);
}

import type { Logger } from '../logging/logger.js';
import type { Redactor } from '../logging/redactor.js';
import type { Config } from '../config/normalise.js';
import type { Board } from '../adapters/board/types.js';
import type { Chat } from '../adapters/chat/types.js';
import type { Platform } from '../adapters/platform/types.js';
import type { Probes } from '../adapters/probes/types.js';
import type { MigrationCheck } from '../gate/migration-types.js';
import type { Ledger } from './ledger.js';
import type { StepOutputs, StepName } from './step-outputs.js';

/** Read-only check that a migration's effects exist in the app's database. */
export type SchemaInspector = (
  databaseUrl: string,
  checks: readonly MigrationCheck[],
) => Promise<{ ok: boolean; missing: string[] }>;

/** Everything a heartbeat works with, built once in the wiring (src/wire.ts). */
export interface HeartbeatDeps {
  config: Config;
  ledger: Ledger;
  board: Board;
  chat: Chat;
  platform: Platform;
  probes: Probes;
  inspectSchema: SchemaInspector;
  logger: Logger;
  redactor: Redactor;
  now: () => Date;
  /** Secrets the configuration names (per-app database URLs); steps never read process.env. */
  secret: (name: string) => string | undefined;
}

export interface StepContext extends HeartbeatDeps {
  hb: string;
  /** A child logger carrying hb and step. */
  log: Logger;
  /** Aborted on SIGTERM/SIGINT: stop starting new work. A running fly deploy is left to finish. */
  signal: AbortSignal;
  /** Output of an earlier step; throws when that step did not finish (use only for `needs`). */
  input<N extends StepName>(step: N): StepOutputs[N];
  /** Output of an earlier step when it finished, for optional inputs (`uses`). */
  maybe<N extends StepName>(step: N): StepOutputs[N] | undefined;
  /** What went wrong so far in this heartbeat: failed steps and per-item problems of finished ones. */
  failures(): { step: string; subject?: string; code: string; message: string }[];
}

/** Something that went wrong for one item (a ticket, a deployment) while the step carried on with the rest. */
export interface StepProblem {
  /** What it was about, e.g. a ticket id. */
  subject: string;
  code: string;
  message: string;
}

export type StepOutcome<T> =
  | { kind: 'done'; summary: string; data: T; problems: StepProblem[] }
  | { kind: 'skipped'; reason: string };

export function done<T>(summary: string, data: T, problems: StepProblem[] = []): StepOutcome<T> {
  return { kind: 'done', summary, data, problems };
}

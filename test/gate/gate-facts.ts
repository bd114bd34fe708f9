import type { Ticket } from '../../src/adapters/board/types.js';
import type { AppConfig } from '../../src/config/normalise.js';
import { TicketInputError } from '../../src/errors.js';
import { analyseMigrations } from '../../src/gate/analyse-migrations.js';
import { parseDeployNotes } from '../../src/gate/parse-deploy-notes.js';
import type { GateFacts } from '../../src/gate/types.js';

/** An app as the config declares it, with a database to verify migrations against. */
export function appConfig(name: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    name,
    imageTemplate: `registry.fly.io/${name}:{ref}`,
    strategy: 'rolling',
    waitTimeoutMs: 300_000,
    processGroup: 'app',
    baseUrl: `https://${name}.fly.dev`,
    health: { url: `https://${name}.fly.dev/health`, maxMs: 2000 },
    smoke: [],
    secrets: [],
    database: { urlEnv: 'HOTDASH_DB_URL' },
    logScanLines: 100,
    ...overrides,
  };
}

export const GATE_CONFIG: GateFacts['config'] = {
  apps: { 'hotdash-staging': appConfig('hotdash-staging'), hotdash: appConfig('hotdash') },
  reviewers: { cq: ['alice', '@acme/reviewers'], qa: ['qa-bot', 'carol'], operators: ['alice', 'dave'] },
};

export const NOW = new Date('2026-11-26T10:00:00Z');

/** The facts gatherGateFacts would read for `ticket`: notes parsed, migrations analysed, nothing in flight. */
export async function factsFor(ticket: Ticket, overrides: Partial<GateFacts> = {}): Promise<GateFacts> {
  const notes = parseDeployNotes(ticket.body);
  let migrations: GateFacts['migrations'];
  if (notes.ok && notes.notes.migrations) {
    try {
      migrations = await analyseMigrations(notes.notes.migrations);
    } catch (err) {
      if (!(err instanceof TicketInputError)) throw err;
      migrations = { error: err.message, line: err.line ?? 1 };
    }
  }
  return {
    ticket,
    config: GATE_CONFIG,
    teams: { '@acme/reviewers': ['bob'] },
    notes,
    migrations,
    refChangedAt: undefined,
    knownSecrets: [],
    deploymentInProgress: false,
    now: NOW,
    ...overrides,
  };
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/store/open-store.js';
import { buildSimulatedApp } from '../../src/demo/simulated-apps.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/logging/redactor.js';
import { appYaml, createProcessSandbox, readyTicket, type ProcessResult, type ProcessSandbox } from '../helpers/sandbox-process.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

// STYLE R12: canary secrets planted in opsbeat's environment try every way out — flyctl's stderr,
// a failed deploy, a thrown error, debug logs, ticket comments, chat — and none may get through.

const DB_PASSWORD = 'canary-pg/pass+word=9';
const CANARIES = {
  FLY_API_TOKEN: 'FlyV1 fm2_canaryFlyTokenA1b2C3d4,fm2_canaryFlyMacaroonE5f6',
  GITHUB_TOKEN: 'ghp_canaryGithubToken0123456789abcdefABCD',
  SLACK_BOT_TOKEN: 'xoxb-canary-11112222-33334444-SlackTokenZZ',
  // Named only through apps.payments.database.urlEnv: the variable's name does not look secret.
  PAYMENTS_PG: `postgres://u:${encodeURIComponent(DB_PASSWORD)}@127.0.0.1:9/db`,
  OPSBEAT_CANARY_SECRET: 'canary secret/7f3a+Q=',
} as const;

/** Every form a canary could leak in. */
function leakForms(): { name: string; form: string }[] {
  const values: [string, string][] = [
    ...Object.entries(CANARIES),
    ['PAYMENTS_PG password', DB_PASSWORD],
    ['FLY_API_TOKEN macaroon', 'fm2_canaryFlyTokenA1b2C3d4'],
    ['FLY_API_TOKEN macaroon', 'fm2_canaryFlyMacaroonE5f6'],
  ];
  return values.flatMap(([name, value]) => [
    { name, form: value },
    { name: `${name} (URL-encoded)`, form: encodeURIComponent(value) },
    { name: `${name} (base64)`, form: Buffer.from(value).toString('base64') },
    { name: `${name} (base64url)`, form: Buffer.from(value).toString('base64url') },
  ]);
}

function leaksIn(text: string): string[] {
  return [...new Set(leakForms().filter(({ form }) => text.includes(form)).map(({ name }) => name))];
}

// The tickets that carry a secret on purpose (their authors pasted one): the count opsbeat found there.
const PLANTED = {
  'OPS-3.md': CANARIES.OPSBEAT_CANARY_SECRET,
  'OPS-6.md': CANARIES.OPSBEAT_CANARY_SECRET,
  'OPS-4.md': CANARIES.GITHUB_TOKEN,
};

let box: ProcessSandbox;
const outputs: { what: string; result: ProcessResult }[] = [];
const plantedCounts: Record<string, number> = {};

beforeAll(async () => {
  const faultText = 'Error: unauthorized: token ${FLY_API_TOKEN} rejected; env ${GITHUB_TOKEN}${SLACK_BOT_TOKEN}${OPSBEAT_CANARY_SECRET}${PAYMENTS_PG}';
  box = await createProcessSandbox({
    apps: {
      'hotdash-staging': buildSimulatedApp({ name: 'hotdash-staging', image: 'registry.fly.io/hotdash-staging:b71c0de', history: ['registry.fly.io/hotdash-staging:9d4e7aa'] }),
      billing: buildSimulatedApp({ name: 'billing', image: 'registry.fly.io/billing:41aa9c0', history: ['registry.fly.io/billing:0c3b5d1'], machines: 1 }),
      payments: buildSimulatedApp({ name: 'payments', image: 'registry.fly.io/payments:1a2b3c4', history: ['registry.fly.io/payments:0f0f0f0'], machines: 1 }),
      search: buildSimulatedApp({ name: 'search', image: 'registry.fly.io/search:2b2b2b2', history: ['registry.fly.io/search:1b1b1b1'], machines: 1 }),
    },
    faults: [
      // A failed deploy whose stderr echoes the token flyctl was given.
      { command: 'deploy', mode: 'exit', exitCode: 1, stderr: faultText },
      // A failed read in a pre-check: thrown, reported as a problem of the heartbeat, no deploy.
      { command: 'secrets', mode: 'exit', exitCode: 1, stderr: faultText },
    ],
    configYaml: (url) => [
      'apps:',
      ...appYaml('hotdash-staging', url),
      ...appYaml('billing', url, ['secrets: [SESSION_SECRET]']),
      ...appYaml('payments', url, ['database: { urlEnv: PAYMENTS_PG }']),
      ...appYaml('search', url),
    ],
    env: { ...CANARIES, LOG_LEVEL: 'debug' },
    tickets: [
      readyTicket(new TicketBuilder('OPS-1').title('Deploy that fails').notes('app: hotdash-staging\nref: 3f9c2e1')),
      readyTicket(new TicketBuilder('OPS-2').title('Secrets read fails').notes('app: billing\nref: 8d1e4aa')),
      readyTicket(new TicketBuilder('OPS-3').title('Secret pasted in a deploy line').notes(`app: payments\nref: ${CANARIES.OPSBEAT_CANARY_SECRET}`)),
      readyTicket(new TicketBuilder('OPS-4').title('Token pasted in the description').introduction(`Use this: ${CANARIES.GITHUB_TOKEN}`).notes('app: payments\nref: 5e5e5e5')),
      // Not token-shaped, but the value of one of opsbeat's own secrets: held, never staged as a flag.
      readyTicket(new TicketBuilder('OPS-6').title('Secret pasted as a flag').notes(`app: search\nref: 3c3c3c3\nflags: { NOTE: "${CANARIES.OPSBEAT_CANARY_SECRET}" }`)),
      readyTicket(new TicketBuilder('OPS-5').title('Migration against an unreachable database').notes('app: payments\nref: 7a7a7a7\nmigrations: |\n  create table payments_audit (id bigint primary key);')),
    ],
  });
  for (const [file, value] of Object.entries(PLANTED)) plantedCounts[file] = count(await readFile(path.join(box.boardDir, file), 'utf8'), value);

  outputs.push({ what: 'once', result: await box.run(['once']) });
  outputs.push({ what: 'plan OPS-5', result: await box.run(['plan', 'OPS-5']) });
  outputs.push({ what: 'plan OPS-3 --json', result: await box.run(['plan', 'OPS-3', '--json']) });
  outputs.push({ what: 'plan OPS-6 --json', result: await box.run(['plan', 'OPS-6', '--json']) });
  outputs.push({ what: 'status', result: await box.run(['status']) });
  outputs.push({ what: 'status --json', result: await box.run(['status', '--json']) });
}, 900_000);

afterAll(async () => {
  await box?.close();
});

function count(text: string, value: string): number {
  return text.split(value).length - 1;
}

describe('canary secrets in the environment', { timeout: 300_000 }, () => {
  it('the leak attempts really happened', async () => {
    const once = outputs[0]!.result;
    // OPS-2's pre-check could not read Fly's secrets: a problem of the heartbeat, so exit 1.
    expect(once.code).toBe(1);
    expect(once.stdout).toMatch(/problem: OPS-2: .*\[fly_command_failed\]/);
    // flyctl saw the token (the faults echoed it) and none of the other secrets.
    const calls = await box.flyCalls();
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.envNames).toContain('FLY_API_TOKEN');
      for (const name of ['GITHUB_TOKEN', 'SLACK_BOT_TOKEN', 'PAYMENTS_PG', 'OPSBEAT_CANARY_SECRET', 'LOG_LEVEL']) expect(call.envNames).not.toContain(name);
    }
    expect(once.stdout).toContain('OPS-1 → hotdash-staging (registry.fly.io/hotdash-staging:3f9c2e1): rolled back');
    expect(once.stdout).toContain('[REDACTED]');
    expect(once.stderr).toContain('"level":"debug"');
    const board = await box.boardFiles();
    expect(board['OPS-1.md']).toMatch(/^status: deploy-failed$/m);
    expect(board['OPS-1.md']).toContain('unauthorized: token [REDACTED] rejected');
    expect(board['OPS-3.md']).toContain('opsbeat is holding this ticket');
    expect(board['OPS-4.md']).toContain('opsbeat is holding this ticket');
    expect(board['OPS-6.md']).toContain('the value of a secret opsbeat itself holds');
    // A pre-check that could not run is on-call's problem, not the author's: no hold comment.
    expect(board['OPS-2.md']).not.toContain('opsbeat is holding this ticket');
    expect(board['OPS-2.md']).toMatch(/^status: rfp$/m);
  });

  it('leaks no canary through stdout or stderr of any command', () => {
    for (const { what, result } of outputs) {
      expect({ what, leaks: leaksIn(result.stdout + result.stderr) }).toEqual({ what, leaks: [] });
    }
  });

  it('leaks no canary into the log file', async () => {
    const log = await readFile(path.join(box.dataDir, 'opsbeat.log'), 'utf8');
    expect(log).toContain('"level":"debug"');
    expect(leaksIn(log)).toEqual([]);
  });

  it('leaks no canary into the board, beyond what ticket authors pasted themselves', async () => {
    const board = await box.boardFiles();
    for (const [file, text] of Object.entries(board)) {
      const planted = PLANTED[file as keyof typeof PLANTED];
      if (planted) {
        expect({ file, count: count(text, planted) }).toEqual({ file, count: plantedCounts[file] });
        expect({ file, leaks: leaksIn(text.split(planted).join('')) }).toEqual({ file, leaks: [] });
      } else {
        expect({ file, leaks: leaksIn(text) }).toEqual({ file, leaks: [] });
      }
    }
  });

  it('leaks no canary into the chat transcript', async () => {
    const chat = await box.chatTranscript();
    expect(chat).toContain('OPS-1');
    expect(leaksIn(chat)).toEqual([]);
  });

  it('leaks no canary into any ledger table', async () => {
    const store = await openStore({ dataDir: box.dataDir, logger: createLogger({ level: 'silent', redactor: new Redactor() }) });
    try {
      const tables = await store.query<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
      );
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['heartbeats', 'step_runs', 'deployments', 'deployment_events', 'notices']));
      for (const { name } of tables) {
        const rows = await store.query(`select * from ${name}`);
        const dump = JSON.stringify(rows);
        expect({ table: name, leaks: leaksIn(dump) }).toEqual({ table: name, leaks: [] });
      }
      // The attempts reached the ledger, redacted: flyctl's stderr in a failure.
      const failures = await store.query<{ failure: unknown }>('select failure from deployments where failure is not null');
      expect(JSON.stringify(failures)).toContain('unauthorized: token [REDACTED] rejected');
      // The ticket carrying a secret value as a flag never got a deployment.
      expect(await store.query("select id from deployments where ticket = 'OPS-6'")).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

/**
 * opsbeat benchmarks: speed and memory of the hot paths, printed as a table.
 *   npm run bench            (all)
 *   npm run bench -- gate    (names containing "gate")
 * Timings vary with the machine; compare runs on the same machine.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { FileBoard } from '../src/adapters/board/file-board.js';
import type { Ticket } from '../src/adapters/board/types.js';
import { ConsoleChat } from '../src/adapters/chat/console-chat.js';
import { PgliteStore } from '../src/adapters/store/pglite-store.js';
import { migrate } from '../src/adapters/store/migrate.js';
import { parseConfigText } from '../src/config/load.js';
import { analyseMigrations } from '../src/gate/analyse-migrations.js';
import { decideTicket } from '../src/gate/decide-ticket.js';
import { parseDeployNotes } from '../src/gate/parse-deploy-notes.js';
import type { GateFacts } from '../src/gate/types.js';
import { runHeartbeat } from '../src/heartbeat/runner.js';
import { createLogger } from '../src/logging/logger.js';
import { Redactor } from '../src/logging/redactor.js';
import {
  buildSimulatedApp,
  FLYCTL_SIMULATOR,
  SIMULATOR_ENV,
  startSimulatedApps,
  writeSimulatorState,
} from '../src/demo/simulated-apps.js';
import { wire } from '../src/wire.js';
import { FAST, startGithubFixture, TOKEN } from '../test/fakes/github/github-fixture.js';
import { TicketBuilder } from '../test/helpers/ticket-builder.js';

interface Row {
  name: string;
  runs: number;
  meanMs: number;
  p95Ms: number;
  perSecond: string;
  heapMb: string;
}

const rows: Row[] = [];
const filter = process.argv[2];

async function measure(name: string, runs: number, fn: () => Promise<unknown> | unknown): Promise<void> {
  if (filter && !name.includes(filter)) return;
  await fn(); // warm-up
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  const heapAfter = process.memoryUsage().heapUsed;
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / runs;
  rows.push({
    name,
    runs,
    meanMs: round(mean),
    p95Ms: round(times[Math.min(runs - 1, Math.floor(runs * 0.95))]!),
    perSecond: mean > 0 ? Math.round(1000 / mean).toLocaleString('en') : '∞',
    heapMb: ((heapAfter - heapBefore) / 1024 / 1024).toFixed(1),
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const NOTES = 'app: hotdash\nref: 3f9c2e1\nenv: [STRIPE_WEBHOOK_SECRET]\nflags: { NEW_CHECKOUT: "on" }\nsmoke: [{ path: /api/tiles, status: 200, maxMs: 3000 }]';
const BODY = `The new checkout.\n\n\`\`\`deploy\n${NOTES}\n\`\`\`\n`;

function ticket(i: number): Ticket {
  const at = new Date(Date.now() - 3_600_000);
  return {
    id: `OPS-${i}`,
    title: `Ticket ${i}`,
    status: 'rfp',
    body: BODY,
    labels: [],
    comments: [
      { id: 'c1', author: 'alice', createdAt: at, body: 'CQ: pass' },
      { id: 'c2', author: 'carol', createdAt: new Date(at.getTime() + 60_000), body: 'QA: pass — all green' },
    ],
    updatedAt: at,
  };
}

async function main(): Promise<void> {
  const silent = createLogger({ level: 'silent', redactor: new Redactor(), destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'opsbeat-bench-'));
  const cacheDir = path.join(os.tmpdir(), 'opsbeat-cache');
  try {
    await measure('parse deploy notes', 2000, () => parseDeployNotes(BODY));
    const app = {
      name: 'hotdash', imageTemplate: 'registry.fly.io/hotdash:{ref}', strategy: 'rolling' as const, waitTimeoutMs: 300_000,
      processGroup: 'app', baseUrl: 'https://hotdash.fly.dev', health: { url: 'https://hotdash.fly.dev/health', maxMs: 2000 },
      smoke: [], secrets: [], database: undefined, logScanLines: 100,
    };
    const facts = (t: Ticket): GateFacts => ({
      ticket: t,
      config: { apps: { hotdash: app }, reviewers: { cq: ['alice'], qa: ['carol'], operators: [] } },
      teams: {},
      notes: parseDeployNotes(t.body),
      migrations: undefined,
      refChangedAt: undefined,
      knownSecrets: [],
      deploymentInProgress: false,
      now: new Date(),
    });
    const tickets = Array.from({ length: 100 }, (_, i) => ticket(i));
    await measure('gate 100 tickets (parse + decide)', 50, () => tickets.map((t) => decideTicket(facts(t))));
    const sql = 'create table picker_payments (id bigint primary key, amount numeric not null);\nalter table picker_payments enable row level security;\ncreate index picker_payments_amount on picker_payments (amount);';
    await measure('analyse migrations (3 statements)', 500, () => analyseMigrations(sql));

    const boardDir = path.join(tmp, 'board');
    const board = new FileBoard({ dir: boardDir, teams: {}, now: () => new Date() });
    await (await import('node:fs/promises')).mkdir(boardDir, { recursive: true });
    for (let i = 1; i <= 200; i++) {
      await writeFile(path.join(boardDir, `OPS-${i}.md`), `---\ntitle: Ticket ${i}\nstatus: ${i % 4 === 0 ? 'rfp' : 'closed'}\n---\n${BODY}\n<!-- comment id="c1" author="alice" at="2026-11-25T08:00:00Z" -->\nCQ: pass\n`);
    }
    await measure('file board: list rfp of 200 tickets', 20, () => board.listReady());

    await measure('PGlite store from template + migrations', 3, async () => {
      const store = await PgliteStore.open({ cacheDir, logger: silent });
      await migrate(store);
      await store.close();
    });

    if (!filter || 'heartbeat'.includes(filter) || filter.includes('heartbeat')) await heartbeatBench(tmp, cacheDir, silent);
    if (!filter || IDLE_GITHUB.includes(filter)) await githubIdleBench(tmp, cacheDir, silent);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  printTable();
  printGithubTable();
}

/** A full heartbeat against the simulated Fly: N tickets for N apps, all deployed and verified. */
async function heartbeatBench(tmp: string, cacheDir: string, logger: ReturnType<typeof createLogger>): Promise<void> {
  for (const count of [1, 5]) {
    const name = `full heartbeat, ${count} deploy${count === 1 ? '' : 's'} (simulated Fly)`;
    const dir = path.join(tmp, `hb-${count}`);
    const boardDir = path.join(dir, 'board');
    await (await import('node:fs/promises')).mkdir(boardDir, { recursive: true });
    const stateFile = path.join(dir, 'fly.json');
    const appNames = Array.from({ length: count }, (_, i) => `app-${i}`);
    const resetFly = () =>
      writeSimulatorState(stateFile, {
        deployDelayMs: 0,
        apps: Object.fromEntries(appNames.map((a) => [a, buildSimulatedApp({ name: a, image: `registry.fly.io/${a}:v1`, machines: 2 })])),
        images: {},
        faults: [],
      });
    await resetFly();
    const apps = await startSimulatedApps({ stateFile });
    const yaml = [
      `store: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }`,
      `board: { kind: files, files: { dir: ${JSON.stringify(boardDir)} } }`,
      'reviewers: { cq: [alice], qa: [carol] }',
      `platform: { fly: { bin: ${JSON.stringify(FLYCTL_SIMULATOR)} } }`,
      'deploys: { concurrency: 5, verifyAttempts: 1 }',
      'apps:',
      ...appNames.flatMap((a) => [`  ${a}: { image: "registry.fly.io/${a}:{ref}", health: { url: "${apps.url}/${a}/health" } }`]),
    ].join('\n');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, FLY_API_TOKEN: 'bench', FLY_SIMULATOR_STATE: stateFile };
    const parsed = parseConfigText(yaml, 'bench.yaml', env, dir);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const redactor = new Redactor();
    const wiring = await wire(parsed.config, env, {
      logger,
      redactor,
      chatOut: { write: () => true },
      passEnv: SIMULATOR_ENV,
      cacheDir,
    });
    wiring.deps.chat = new ConsoleChat({ out: { write: () => true }, transcriptPath: undefined, color: false, redactor, now: () => new Date() });
    let round = 0;
    try {
      await measure(name, 3, async () => {
        round += 1;
        await resetFly();
        for (const [i, a] of appNames.entries()) {
          await writeFile(
            // A new ticket each round: a changed ref on the same ticket would make its reviews stale.
            path.join(boardDir, `OPS-${round * 100 + i}.md`),
            `---\ntitle: Deploy ${a}\nstatus: rfp\n---\n\`\`\`deploy\napp: ${a}\nref: r${round}\n\`\`\`\n\n<!-- comment author="alice" at="2026-01-01" -->\nCQ: pass\n\n<!-- comment author="carol" at="2026-01-01" -->\nQA: pass\n`,
          );
        }
        const result = await runHeartbeat(wiring.deps, { trigger: 'manual' });
        if (result.outputs['execute-deploys']?.outcomes.filter((o) => o.state === 'succeeded').length !== count) {
          throw new Error(`${name}: expected ${count} deploys to succeed`);
        }
      });
    } finally {
      await wiring.close();
      await apps.close();
    }
  }
}

const IDLE_GITHUB = 'idle heartbeat on an unchanged GitHub board';
const githubRows: { name: string; runs: number; counted: number; requests: number; meanMs: number }[] = [];

/**
 * An idle heartbeat on an unchanged GitHub board, against the fake GitHub server of the tests
 * (real Octokit, real HTTP): how many requests count against the rate limit (all but 304s), per
 * status mode. 20 issues, 5 in rfp (3 waiting for QA, 2 held with a comment); measured once the
 * board has settled (opsbeat's own hold comments written and read back, the last change > 5 s old).
 */
async function githubIdleBench(tmp: string, cacheDir: string, logger: ReturnType<typeof createLogger>): Promise<void> {
  for (const mode of ['labels', 'project'] as const) {
    const fixture = await startGithubFixture({ mode });
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (let i = 1; i <= 20; i++) {
      const ticket = new TicketBuilder(`X-${i}`).title(`Ticket ${i}`).status(i <= 5 ? 'rfp' : 'closed').comment('alice', 'CQ: pass', hourAgo);
      fixture.seed({ ...(i > 3 && i <= 5 ? ticket.notes(undefined) : ticket).build(), updatedAt: hourAgo });
    }
    const dir = path.join(tmp, `github-${mode}`);
    const yaml = [
      `store: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }`,
      fixture.yaml(),
      'reviewers: { cq: [alice], qa: [carol] }',
      'apps: { hotdash-staging: { image: "registry.fly.io/hotdash-staging:{ref}", health: { url: "http://127.0.0.1:9/health" } } }',
    ].join('\n');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, FLY_API_TOKEN: 'bench', GITHUB_TOKEN: TOKEN };
    const parsed = parseConfigText(yaml, 'bench.yaml', env, dir);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const redactor = new Redactor();
    const wiring = await wire(parsed.config, env, { logger, redactor, chatOut: { write: () => true }, cacheDir, github: FAST });
    try {
      for (let i = 0; i < 3; i++) await runHeartbeat(wiring.deps, { trigger: 'manual' });
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      await runHeartbeat(wiring.deps, { trigger: 'manual' });
      const runs = 5;
      const mark = fixture.fake.mark();
      const started = performance.now();
      for (let i = 0; i < runs; i++) await runHeartbeat(wiring.deps, { trigger: 'manual' });
      const meanMs = round((performance.now() - started) / runs);
      const requests = fixture.fake.requests.length - mark;
      githubRows.push({ name: `${IDLE_GITHUB}, ${mode} mode`, runs, counted: fixture.fake.counted(mark) / runs, requests: requests / runs, meanMs });
    } finally {
      await wiring.close();
      await fixture.close();
    }
  }
}

function printGithubTable(): void {
  if (githubRows.length === 0) return;
  console.log('\n| GitHub board (fake GitHub server) | runs | counted requests | requests (304s included) | mean ms |');
  console.log('|:--|--:|--:|--:|--:|');
  for (const r of githubRows) console.log(`| ${r.name}: counted requests | ${r.runs} | ${r.counted} | ${r.requests} | ${r.meanMs} |`);
}

function printTable(): void {
  const header = ['benchmark', 'runs', 'mean ms', 'p95 ms', 'ops/s', 'heap Δ MB'];
  const body = rows.map((r) => [r.name, String(r.runs), String(r.meanMs), String(r.p95Ms), r.perSecond, r.heapMb]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`);
  for (const b of body) console.log(line(b));
  const mem = process.memoryUsage();
  console.log(`\nprocess: rss ${(mem.rss / 1024 / 1024).toFixed(0)} MB, heap ${(mem.heapUsed / 1024 / 1024).toFixed(0)} MB, node ${process.version}, ${os.cpus().length} cpus`);
}

await main();

import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/normalise.js';
import type { HeartbeatDeps } from '../../src/heartbeat/context.js';
import { runHeartbeat, type HeartbeatResult } from '../../src/heartbeat/runner.js';
import { STEPS } from '../../src/heartbeat/steps.js';
import type { DeployPlan } from '../../src/plan/types.js';
import type { Board, Ticket } from '../../src/adapters/board/types.js';
import { FileBoard } from '../../src/adapters/board/file-board.js';
import type { GithubTuning } from '../../src/adapters/board/github/client.js';
import { ConsoleChat, type TranscriptEntry } from '../../src/adapters/chat/console-chat.js';
import { SIMULATOR_ENV } from '../../src/demo/simulated-apps.js';
import { wire, type Wiring } from '../../src/wire.js';
import { captureLogs, type CapturedLogs } from './capture-logs.js';
import { layOutTestSandbox, readyTicket as reviewed, type TestSandbox, type TestSandboxOptions } from './sandbox-process.js';
import { TicketBuilder } from './ticket-builder.js';
import { createTestDatabase } from './stores.js';
import { tmpDir } from './tmp-dir.js';

/**
 * A whole opsbeat world for heartbeat-level tests: a file board, a simulated Fly driven by the
 * real flyctl adapter, the apps' HTTP side, a ledger (a fresh Postgres database by default, or the
 * embedded store), console chat and captured logs —
 * wired by the real `wire()` from a real YAML configuration.
 *
 *   const world = await createWorld({ tickets: [new TicketBuilder('OPS-1').comment(...)] });
 *   const result = await world.beat();
 *   expect(await world.ticketFile('OPS-1')).toContain('**Deployed**');
 */

export interface WorldOptions extends TestSandboxOptions {
  /**
   * YAML lines appended to the configuration (top-level keys; later keys win). A top-level key
   * the world already writes is merged into it, mappings key by key, so
   * `platform: { fly: { timeouts: { deploy: 3s } } }` changes that one timeout.
   */
  configYaml?: string[];
  now?: () => Date;
  /**
   * Put a board of the test's own in front of the real file board (a fake at the boundary, e.g.
   * one that edits a ticket between planning and the deploy). The world's helpers read the files.
   */
  wrapBoard?: (board: Board) => Board;
  /** Waiting of the GitHub board, for a world whose configYaml points `board` at a fake GitHub. */
  github?: GithubTuning;
  /**
   * The ledger's store. Default: a fresh database on the test Postgres server (fast: a template
   * copy), unless configYaml names a `store.url`. `pglite`: the embedded store in the sandbox, as
   * the demo and the CLI tests run it.
   */
  store?: 'postgres' | 'pglite';
}

/** The sandbox (test/helpers/sandbox-process.ts lays it out), wired in this process. */
export interface World extends Omit<TestSandbox, 'apps' | 'configText'> {
  config: Config;
  deps: HeartbeatDeps;
  wiring: Wiring;
  chat: ConsoleChat;
  /** What the console chat printed. */
  chatText(): string;
  logs: CapturedLogs;
  beat(options?: { signal?: AbortSignal }): Promise<HeartbeatResult>;
  /** The ticket as the real file board reads it now (not through `wrapBoard`). */
  ticket(id: string): Promise<Ticket>;
  /** opsbeat's own comments on a ticket, oldest first: key and body without the hidden marker. */
  opsbeatComments(id: string): Promise<{ key: string; body: string }[]>;
  /** Everything said in #standup (posts, updates, thread replies), in order. */
  standup(): TranscriptEntry[];
  /** The plans a dry run (the steps with `mutates: false`, as `opsbeat plan` runs them) builds now. */
  plan(): Promise<DeployPlan[]>;
  close(): Promise<void>;
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const now = options.now ?? (() => new Date());
  const box = await layOutTestSandbox(await tmpDir('opsbeat-world-'), {
    ...options,
    configYaml: () => options.configYaml ?? [],
    flyTimeouts: 'read: 10s, logs: 5s, deploy: 20s',
    now: now(),
  });
  const { dir, configFile, boardDir, configText: yaml, env, apps } = box;
  const parsed = parseConfigText(yaml, configFile, env, dir);
  if (!parsed.ok) throw new Error(`test world config is invalid:\n${parsed.errors.join('\n')}`);
  if ((options.store ?? 'postgres') === 'postgres') parsed.config.store.url ??= await createTestDatabase();
  const logs = captureLogs();
  logs.redactor.addFromEnv(env);
  const out = new PassThrough();
  let printed = '';
  out.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const wiring = await wire(parsed.config, env, {
    logger: logs.logger,
    redactor: logs.redactor,
    chatOut: out,
    passEnv: SIMULATOR_ENV,
    cacheDir: path.join(os.tmpdir(), 'opsbeat-cache'),
    now,
    ...(options.github ? { github: options.github } : {}),
  });
  if (options.wrapBoard) wiring.deps.board = options.wrapBoard(wiring.deps.board);
  const files = new FileBoard({ dir: boardDir, teams: {}, now });
  return {
    ...box,
    config: parsed.config,
    deps: wiring.deps,
    wiring,
    chat: wiring.deps.chat as ConsoleChat,
    chatText: () => printed,
    logs,
    beat: (o = {}) => runHeartbeat(wiring.deps, { trigger: 'once', ...(o.signal ? { signal: o.signal } : {}) }),
    ticket: (id) => files.readTicket(id),
    opsbeatComments: async (id) =>
      (await files.readTicket(id)).comments.flatMap((c) =>
        c.opsbeatKey === undefined ? [] : [{ key: c.opsbeatKey, body: c.body.split('\n').slice(1).join('\n') }],
      ),
    standup: () => {
      const chat = wiring.deps.chat;
      return chat instanceof ConsoleChat ? chat.transcript.filter((e) => e.channel === chat.channels.standup) : [];
    },
    plan: async () => {
      const dryRun = await runHeartbeat(wiring.deps, { trigger: 'manual', steps: STEPS.filter((s) => !s.mutates) });
      return dryRun.outputs['plan-deploys']?.plans ?? [];
    },
    close: async () => {
      await wiring.close();
      await apps.close();
    },
  };
}

/**
 * A ticket ready to deploy: in rfp, the given deploy block, `CQ: pass` by alice and `QA: pass` by
 * carol (the world's reviewers) a minute and half a minute ago.
 */
export function readyTicket(id: string, notes = 'app: hotdash-staging\nref: 3f9c2e1', title = 'Cache tiles'): TicketBuilder {
  return reviewed(new TicketBuilder(id).title(title).notes(notes));
}

/** Probe timings vary run to run: "HTTP 200 in 17 ms" → "HTTP 200 in N ms". */
export function withoutTimings(text: string): string {
  return text.replace(/\bin \d+ ms\b/g, 'in N ms');
}

/** A clock for `now` that runs with real time and can be moved forward (reminders, overdue deploys). */
export function adjustableClock(): { now: () => Date; advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
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
import {
  buildSimulatedApp,
  FLYCTL_SIMULATOR,
  readSimulatorCalls,
  readSimulatorState,
  SIMULATOR_ENV,
  startSimulatedApps,
  updateSimulatorState,
  writeSimulatorState,
  type SimulatedApp,
  type SimulatorCall,
  type SimulatorState,
} from '../../src/demo/simulated-apps.js';
import { wire, type Wiring } from '../../src/wire.js';
import { captureLogs, type CapturedLogs } from './capture-logs.js';
import { TicketBuilder, ticketFileText } from './ticket-builder.js';
import { tmpDir } from './tmp-dir.js';

/**
 * A whole opsbeat world for heartbeat-level tests: a file board, a simulated Fly driven by the
 * real flyctl adapter, the apps' HTTP side, the embedded store, console chat and captured logs —
 * wired by the real `wire()` from a real YAML configuration.
 *
 *   const world = await createWorld({ tickets: [new TicketBuilder('OPS-1').comment(...)] });
 *   const result = await world.beat();
 *   expect(await world.ticketFile('OPS-1')).toContain('**Deployed**');
 */

export interface WorldOptions {
  tickets?: (TicketBuilder | { id: string; text: string })[];
  /** Simulated apps; default: `hotdash-staging` (2 machines) and `billing` (1 machine). */
  apps?: Record<string, SimulatedApp>;
  images?: SimulatorState['images'];
  faults?: SimulatorState['faults'];
  deployDelayMs?: number;
  /**
   * YAML lines appended to the configuration (top-level keys; later keys win). A top-level key
   * the world already writes is merged into it, mappings key by key, so
   * `platform: { fly: { timeouts: { deploy: 3s } } }` changes that one timeout.
   */
  configYaml?: string[];
  /** Environment for opsbeat (merged over a PATH/HOME/FLY_API_TOKEN/simulator default). */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /**
   * Put a board of the test's own in front of the real file board (a fake at the boundary, e.g.
   * one that edits a ticket between planning and the deploy). The world's helpers read the files.
   */
  wrapBoard?: (board: Board) => Board;
  /** Waiting of the GitHub board, for a world whose configYaml points `board` at a fake GitHub. */
  github?: GithubTuning;
}

export interface World {
  dir: string;
  configFile: string;
  boardDir: string;
  stateFile: string;
  callsFile: string;
  appsUrl: string;
  env: NodeJS.ProcessEnv;
  config: Config;
  deps: HeartbeatDeps;
  wiring: Wiring;
  chat: ConsoleChat;
  /** What the console chat printed. */
  chatText(): string;
  logs: CapturedLogs;
  beat(options?: { signal?: AbortSignal }): Promise<HeartbeatResult>;
  ticketFile(id: string): Promise<string>;
  writeTicket(ticket: TicketBuilder | { id: string; text: string }): Promise<void>;
  flyCalls(): Promise<Extract<SimulatorCall, { kind: 'call' }>[]>;
  deployCalls(): Promise<string[][]>;
  fly(): Promise<SimulatorState>;
  updateFly(change: (state: SimulatorState) => void): Promise<void>;
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

export const DEFAULT_APPS = (now: Date): Record<string, SimulatedApp> => ({
  'hotdash-staging': buildSimulatedApp({
    name: 'hotdash-staging',
    image: 'registry.fly.io/hotdash-staging:b71c0de',
    history: ['registry.fly.io/hotdash-staging:9d4e7aa'],
    machines: 2,
    secrets: ['SESSION_SECRET', 'STRIPE_WEBHOOK_SECRET'],
    now,
  }),
  billing: buildSimulatedApp({
    name: 'billing',
    image: 'registry.fly.io/billing:41aa9c0',
    history: ['registry.fly.io/billing:0c3b5d1'],
    machines: 1,
    now,
  }),
});

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const now = options.now ?? (() => new Date());
  const dir = await tmpDir('opsbeat-world-');
  const boardDir = path.join(dir, 'board');
  const stateFile = path.join(dir, 'fly-simulator.json');
  const callsFile = path.join(dir, 'fly-calls.jsonl');
  const configFile = path.join(dir, 'opsbeat.yaml');
  await mkdir(boardDir, { recursive: true });
  await writeSimulatorState(stateFile, {
    deployDelayMs: options.deployDelayMs ?? 50,
    apps: options.apps ?? DEFAULT_APPS(now()),
    images: options.images ?? {},
    faults: options.faults ?? [],
  });
  const apps = await startSimulatedApps({ stateFile });
  const writeTicket = async (t: TicketBuilder | { id: string; text: string }): Promise<void> => {
    const { id, text } = 'text' in t ? t : { id: t.build().id, text: ticketFileText(t.build()) };
    await writeFile(path.join(boardDir, `${id}.md`), text);
  };
  for (const t of options.tickets ?? []) await writeTicket(t);

  const yaml = withOverrides([
    `store: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }`,
    `board: { kind: files, files: { dir: ${JSON.stringify(boardDir)} } }`,
    'reviewers: { cq: [alice], qa: [carol], operators: [dave] }',
    'chat: { kind: console }',
    `platform: { kind: fly, fly: { bin: ${JSON.stringify(FLYCTL_SIMULATOR)}, timeouts: { read: 10s, logs: 5s, deploy: 20s } } }`,
    'apps:',
    ...appYaml('hotdash-staging', apps.url),
    ...appYaml('billing', apps.url),
    'deploys: { verifyAttempts: 1, verifyRetryDelay: 100ms }',
  ], options.configYaml ?? []);
  await writeFile(configFile, yaml);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FLY_API_TOKEN: 'test-token-for-the-simulator',
    FLY_SIMULATOR_STATE: stateFile,
    FLY_SIMULATOR_CALLS: callsFile,
    ...options.env,
  };
  const parsed = parseConfigText(yaml, configFile, env, dir);
  if (!parsed.ok) throw new Error(`test world config is invalid:\n${parsed.errors.join('\n')}`);
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
    dir,
    configFile,
    boardDir,
    stateFile,
    callsFile,
    appsUrl: apps.url,
    env,
    config: parsed.config,
    deps: wiring.deps,
    wiring,
    chat: wiring.deps.chat as ConsoleChat,
    chatText: () => printed,
    logs,
    beat: (o = {}) => runHeartbeat(wiring.deps, { trigger: 'once', ...(o.signal ? { signal: o.signal } : {}) }),
    ticketFile: (id) => readFile(path.join(boardDir, `${id}.md`), 'utf8'),
    writeTicket,
    flyCalls: async () => (await readSimulatorCalls(callsFile)).filter((c): c is Extract<SimulatorCall, { kind: 'call' }> => c.kind === 'call'),
    deployCalls: async () =>
      (await readSimulatorCalls(callsFile)).flatMap((c) => (c.kind === 'call' && c.argv[0] === 'deploy' ? [c.argv] : [])),
    fly: () => readSimulatorState(stateFile),
    updateFly: (change) => updateSimulatorState(stateFile, change),
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
 * The world's configuration lines followed by the test's: a top-level key both write is merged
 * (mappings key by key, the test's values win), since YAML does not allow a key twice.
 */
function withOverrides(base: string[], extra: string[]): string {
  const topKeys = (lines: string[]) => new Set(lines.flatMap((l) => /^([A-Za-z_][\w-]*)\s*:/.exec(l)?.[1] ?? []));
  const shared = [...topKeys(extra)].filter((k) => topKeys(base).has(k));
  if (shared.length === 0) return [...base, ...extra, ''].join('\n');
  const merged = deepMerge(parseYaml(base.join('\n')) as unknown, parseYaml(extra.join('\n')) as unknown);
  return stringifyYaml(merged);
}

function deepMerge(a: unknown, b: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(a) || !isMap(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = key in a ? deepMerge(a[key], value) : value;
  return out;
}

/**
 * A ticket ready to deploy: in rfp, the given deploy block, `CQ: pass` by alice and `QA: pass` by
 * carol (the world's reviewers) a minute and half a minute ago.
 */
export function readyTicket(id: string, notes = 'app: hotdash-staging\nref: 3f9c2e1', title = 'Cache tiles'): TicketBuilder {
  return new TicketBuilder(id)
    .title(title)
    .notes(notes)
    .comment('alice', 'CQ: pass', new Date(Date.now() - 60_000))
    .comment('carol', 'QA: pass', new Date(Date.now() - 30_000));
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

function appYaml(name: string, appsUrl: string): string[] {
  return [
    `  ${name}:`,
    `    image: "registry.fly.io/${name}:{ref}"`,
    `    health: { url: "${appsUrl}/${name}/health", maxMs: 2000 }`,
    `    url: "${appsUrl}/${name}"`,
    '    smoke: [{ path: /, status: 200, maxMs: 3000 }]',
  ];
}

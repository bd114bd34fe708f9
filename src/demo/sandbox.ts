import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildSimulatedApp,
  FLYCTL_SIMULATOR,
  startSimulatedApps,
  writeSimulatorState,
  type SimulatedAppsServer,
  type SimulatorState,
} from './simulated-apps.js';

/**
 * A sandbox for opsbeat: a file board, a simulated Fly (its state and calls files, the apps' HTTP
 * side) and a configuration that points opsbeat at them. The demo lays one out here; the test
 * world and the process tests lay theirs out with the same functions.
 *
 * The demo's world: three tickets on the board, two apps on Fly. One ticket ships, one waits for
 * QA, one ships a release whose health check fails and is rolled back.
 */

export const DEMO_TICKETS = {
  ships: 'OPS-101',
  missingQa: 'OPS-102',
  rolledBack: 'OPS-103',
} as const;

export interface Sandbox {
  dir: string;
  configFile: string;
  boardDir: string;
  /** The embedded store's folder. */
  dataDir: string;
  stateFile: string;
  callsFile: string;
}

export function sandboxPaths(dir: string): Sandbox {
  return {
    dir,
    configFile: path.join(dir, 'opsbeat.yaml'),
    boardDir: path.join(dir, 'board'),
    dataDir: path.join(dir, 'data'),
    stateFile: path.join(dir, 'fly-simulator.json'),
    callsFile: path.join(dir, 'fly-calls.jsonl'),
  };
}

/**
 * Lay out a sandbox: the board folder, Fly as it starts, the apps' HTTP side (started here; the
 * caller closes it) and the configuration, which names the apps' URL. Returns the apps' server
 * and the configuration text.
 */
export async function layOutSandbox(
  sandbox: Sandbox,
  fly: SimulatorState,
  config: (appsUrl: string) => string,
): Promise<{ apps: SimulatedAppsServer; configText: string }> {
  await mkdir(sandbox.boardDir, { recursive: true });
  await writeSimulatorState(sandbox.stateFile, fly);
  const apps = await startSimulatedApps({ stateFile: sandbox.stateFile });
  try {
    const configText = config(apps.url);
    await writeFile(sandbox.configFile, configText);
    return { apps, configText };
  } catch (err) {
    await apps.close();
    throw err;
  }
}

/** What flyctl (the simulator) reads from the environment in a sandbox. The simulator wants a token like flyctl does; `token` opens nothing. */
export function simulatorEnv(sandbox: Pick<Sandbox, 'stateFile' | 'callsFile'>, token: string): NodeJS.ProcessEnv {
  return { FLY_API_TOKEN: token, FLY_SIMULATOR_STATE: sandbox.stateFile, FLY_SIMULATOR_CALLS: sandbox.callsFile };
}

/** The configuration's top-level entries that point opsbeat at a sandbox: its store, file board, console chat, and the simulator as flyctl. */
export function sandboxConfigLines(sandbox: Pick<Sandbox, 'dataDir' | 'boardDir'>, flyTimeouts: string): string[] {
  return [
    `store: { dataDir: ${JSON.stringify(sandbox.dataDir)} }`,
    `board: { kind: files, files: { dir: ${JSON.stringify(sandbox.boardDir)} } }`,
    'chat: { kind: console }',
    `platform: { kind: fly, fly: { bin: ${JSON.stringify(FLYCTL_SIMULATOR)}, timeouts: { ${flyTimeouts} } } }`,
  ];
}

/** One app's entry under `apps:`, served by the simulated apps at `appsUrl`, smoke-tested at `smokePath`; `extra`: more of its keys. */
export function appYaml(name: string, appsUrl: string, extra: string[] = [], smokePath = '/'): string[] {
  return [
    `  ${name}:`,
    `    image: "registry.fly.io/${name}:{ref}"`,
    `    health: { url: "${appsUrl}/${name}/health", maxMs: 2000 }`,
    `    url: "${appsUrl}/${name}"`,
    `    smoke: [{ path: ${smokePath}, status: 200, maxMs: 3000 }]`,
    ...extra.map((line) => `    ${line}`),
  ];
}

/** Lay out the demo's sandbox in `dir`: Fly, the configuration and the board as the demo starts. The caller closes the apps' server. */
export async function layOutDemo(dir: string, now: Date): Promise<{ sandbox: Sandbox; apps: SimulatedAppsServer }> {
  const sandbox = sandboxPaths(dir);
  const { apps } = await layOutSandbox(sandbox, demoFly(now), (appsUrl) => demoConfig(sandbox, appsUrl));
  try {
    await writeBoard(sandbox, now);
    return { sandbox, apps };
  } catch (err) {
    await apps.close();
    throw err;
  }
}

/** Fly as the demo starts: both apps healthy on their current release. */
function demoFly(now: Date): SimulatorState {
  return {
    deployDelayMs: 400,
    apps: {
      hotdash: buildSimulatedApp({
        name: 'hotdash',
        image: 'registry.fly.io/hotdash:b71c0de',
        history: ['registry.fly.io/hotdash:5e0a1f2', 'registry.fly.io/hotdash:9d4e7aa'],
        machines: 2,
        secrets: ['SESSION_SECRET', 'STRIPE_WEBHOOK_SECRET'],
        now,
      }),
      billing: buildSimulatedApp({
        name: 'billing',
        image: 'registry.fly.io/billing:41aa9c0',
        history: ['registry.fly.io/billing:0c3b5d1'],
        machines: 1,
        secrets: ['SESSION_SECRET'],
        now,
      }),
    },
    images: {
      // The billing release that breaks: Fly's own machine checks pass, the app's health endpoint does not.
      'registry.fly.io/billing:8d1e4aa': {
        health: 503,
        logErrors: ['TypeError: Cannot read properties of undefined (reading "amount") at settleInvoice'],
      },
    },
    faults: [],
  };
}

async function writeBoard(sandbox: Sandbox, now: Date): Promise<void> {
  const at = (minutesAgo: number): string => new Date(now.getTime() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const files: Record<string, string> = {
    [DEMO_TICKETS.ships]: ticket({
      title: 'Tiles API: cache the dashboard tiles',
      ready: `{ by: alice, at: ${at(50)} }`,
      description: 'Caches /api/tiles for 30 s. Behind the TILE_CACHE flag.',
      deploy: ['app: hotdash', 'ref: 3f9c2e1', 'env: [SESSION_SECRET]', 'flags: { TILE_CACHE: "on" }', 'smoke: [{ path: /api/tiles, status: 200, maxMs: 3000 }]'],
      comments: [
        { author: 'bob', at: at(180), body: 'Implemented, PR #412 merged.' },
        { author: 'alice', at: at(120), body: 'CQ: pass — small, well tested.' },
        { author: 'carol', at: at(60), body: 'QA: pass — tiles load in 120 ms on staging.' },
      ],
    }),
    [DEMO_TICKETS.missingQa]: ticket({
      title: 'Dashboard: new date picker',
      ready: `{ by: bob, at: ${at(40)} }`,
      description: 'Replaces the date picker on the dashboard.',
      deploy: ['app: hotdash', 'ref: 77be5a0'],
      comments: [{ author: 'alice', at: at(90), body: 'CQ: pass' }],
    }),
    [DEMO_TICKETS.rolledBack]: ticket({
      title: 'Billing: settle invoices in batches',
      ready: `{ by: dave, at: ${at(30)} }`,
      description: 'Settles open invoices in batches of 100.',
      deploy: ['app: billing', 'ref: 8d1e4aa'],
      comments: [
        { author: 'alice', at: at(100), body: 'CQ: pass' },
        { author: 'carol', at: at(45), body: 'QA: passed — on staging, 40 invoices settled' },
      ],
    }),
  };
  await Promise.all(Object.entries(files).map(([id, text]) => writeFile(path.join(sandbox.boardDir, `${id}.md`), text)));
}

function ticket(t: {
  title: string;
  ready: string;
  description: string;
  deploy: string[];
  comments: { author: string; at: string; body: string }[];
}): string {
  return [
    '---',
    `title: ${JSON.stringify(t.title)}`,
    'status: rfp',
    `ready: ${t.ready}`,
    '---',
    t.description,
    '',
    '```deploy',
    ...t.deploy,
    '```',
    '',
    ...t.comments.flatMap((c, i) => [`<!-- comment id="c${i + 1}" author="${c.author}" at="${c.at}" -->`, c.body, '']),
  ].join('\n');
}

function demoConfig(sandbox: Sandbox, appsUrl: string): string {
  const keys = ['strategy: rolling', 'secrets: [SESSION_SECRET]'];
  return [
    '# The demo sandbox: file board, console chat, embedded store, simulated Fly.',
    'schedule: "*/15 * * * *"',
    ...sandboxConfigLines(sandbox, 'read: 20s, logs: 10s, deploy: 2m'),
    'reviewers:',
    '  cq: [alice]',
    '  qa: [carol, qa-bot]',
    '  operators: [alice, dave]',
    'apps:',
    ...appYaml('hotdash', appsUrl, keys),
    ...appYaml('billing', appsUrl, keys, '/invoices'),
    'deploys: { verifyAttempts: 2, verifyRetryDelay: 500ms }',
    'http: { port: 0, host: 127.0.0.1 }',
    '',
  ].join('\n');
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSimulatedApp, FLYCTL_SIMULATOR, writeSimulatorState, type SimulatorState } from './simulated-apps.js';

/**
 * The demo's world: three tickets on a file board, two apps on a simulated Fly, and a
 * configuration that points opsbeat at them. One ticket ships, one waits for QA, one ships a
 * release whose health check fails and is rolled back.
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
  stateFile: string;
  callsFile: string;
}

export function sandboxPaths(dir: string): Sandbox {
  return {
    dir,
    configFile: path.join(dir, 'opsbeat.yaml'),
    boardDir: path.join(dir, 'board'),
    stateFile: path.join(dir, 'fly-simulator.json'),
    callsFile: path.join(dir, 'fly-calls.jsonl'),
  };
}

/** Fly as the demo starts: both apps healthy on their current release. */
export async function writeFlyState(sandbox: Sandbox, now: Date): Promise<void> {
  const state: SimulatorState = {
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
  await writeSimulatorState(sandbox.stateFile, state);
}

export async function writeBoard(sandbox: Sandbox, now: Date): Promise<void> {
  await mkdir(sandbox.boardDir, { recursive: true });
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

export async function writeConfig(sandbox: Sandbox, appsUrl: string): Promise<void> {
  const app = (name: string, smoke: string) => [
    `  ${name}:`,
    `    image: "registry.fly.io/${name}:{ref}"`,
    '    strategy: rolling',
    `    health: { url: "${appsUrl}/${name}/health", maxMs: 2000 }`,
    `    url: "${appsUrl}/${name}"`,
    `    smoke: [${smoke}]`,
    '    secrets: [SESSION_SECRET]',
  ];
  const yaml = [
    '# The demo sandbox: file board, console chat, embedded store, simulated Fly.',
    'schedule: "*/15 * * * *"',
    'store:',
    `  dataDir: ${JSON.stringify(path.join(sandbox.dir, 'data'))}`,
    'board:',
    '  kind: files',
    `  files: { dir: ${JSON.stringify(sandbox.boardDir)} }`,
    'reviewers:',
    '  cq: [alice]',
    '  qa: [carol, qa-bot]',
    '  operators: [alice, dave]',
    'chat:',
    '  kind: console',
    'platform:',
    '  kind: fly',
    '  fly:',
    `    bin: ${JSON.stringify(FLYCTL_SIMULATOR)}`,
    '    timeouts: { read: 20s, logs: 10s, deploy: 2m }',
    'apps:',
    ...app('hotdash', '{ path: /, status: 200, maxMs: 3000 }'),
    ...app('billing', '{ path: /invoices, status: 200, maxMs: 3000 }'),
    'deploys: { verifyAttempts: 2, verifyRetryDelay: 500ms }',
    'http: { port: 0, host: 127.0.0.1 }',
    '',
  ].join('\n');
  await writeFile(sandbox.configFile, yaml);
}

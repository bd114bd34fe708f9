import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runHeartbeat } from '../heartbeat/runner.js';
import { DEMO_TICKETS, layOutDemo, simulatorEnv, type Sandbox } from '../demo/sandbox.js';
import { readSimulatorCalls, SIMULATOR_ENV } from '../demo/simulated-apps.js';
import { bootstrapAndWire } from './bootstrap-and-wire.js';
import { println, type Io } from './io.js';
import { formatResult } from './once.js';

/**
 * `opsbeat demo` (`npm start`): one full heartbeat in a sandbox — a file board with three tickets,
 * a simulated Fly driven by the real flyctl adapter, the embedded store, console chat — narrated.
 */
export async function demo(io: Io, signal: AbortSignal): Promise<number> {
  const now = new Date();
  const { sandbox, apps } = await layOutDemo(await mkdtemp(path.join(os.tmpdir(), 'opsbeat-demo-')), now);
  try {
    const env: NodeJS.ProcessEnv = { PATH: io.env.PATH, HOME: io.env.HOME, ...simulatorEnv(sandbox, 'demo-token-for-the-simulator') };
    intro(io, sandbox.dir);
    const started = await bootstrapAndWire(sandbox.configFile, { ...io, env }, {
      logTo: 'file',
      requireEnvironment: true,
      chatOut: io.stdout,
      passEnv: SIMULATOR_ENV,
      cacheDir: path.join(os.tmpdir(), 'opsbeat-cache'),
    });
    if (typeof started === 'number') return started;
    const { wiring } = started;
    try {
      const result = await runHeartbeat(wiring.deps, {
        trigger: 'demo',
        signal,
        beforeStep: (step, i) => println(io.stdout, `\n── step ${i + 1}: ${step.name} — ${step.purpose}`),
        onStep: (report) => println(io.stdout, `   ${report.status === 'done' ? '✔' : report.status === 'failed' ? '✖' : '–'} ${report.summary}`),
      });
      const tickets = await Promise.all(Object.values(DEMO_TICKETS).map((id) => wiring.deps.board.readTicket(id)));
      const deploys = (await readSimulatorCalls(sandbox.callsFile)).filter((c) => c.kind === 'call' && c.argv[0] === 'deploy');
      println(io.stdout, '\n── what happened');
      println(io.stdout, formatResult(result));
      println(io.stdout, '\nTickets now:');
      for (const t of tickets) println(io.stdout, `  ${t.id} ${t.title}: ${t.status}`);
      println(io.stdout, `\nflyctl deploys run: ${deploys.length} (${deploys.map((c) => (c.kind === 'call' ? c.argv[c.argv.indexOf('--image') + 1] : '')).join(', ')})`);
      outro(io, sandbox, env);
      return result.outcome === 'ok' ? 0 : 1;
    } finally {
      await wiring.close();
    }
  } finally {
    await apps.close();
  }
}

function intro(io: Io, dir: string): void {
  println(io.stdout, [
    'opsbeat demo — one heartbeat, start to finish, in a sandbox:',
    '  • board: three tickets in rfp on the file board',
    '      OPS-101 hotdash: CQ and QA passed          → should ship',
    '      OPS-102 hotdash: CQ passed, no QA record   → held, question in #standup',
    '      OPS-103 billing: CQ and QA passed, but the release fails its health check → rolled back',
    '  • platform: a simulated Fly, driven by the real flyctl adapter as its flyctl binary',
    '  • store: embedded Postgres (PGlite); chat: this terminal (#standup)',
    `  • sandbox: ${dir}`,
  ].join('\n'));
}

function outro(io: Io, sandbox: Sandbox, env: NodeJS.ProcessEnv): void {
  // `plan` needs a Fly token and reads the simulator's state, as the demo did: say so in the command.
  const demoEnv = ['FLY_API_TOKEN', ...SIMULATOR_ENV].map((name) => `${name}=${env[name]}`).join(' ');
  println(io.stdout, [
    '',
    'Look around:',
    `  board (comments opsbeat wrote):  ${sandbox.boardDir}`,
    `  chat transcript (JSON lines):     ${path.join(sandbox.dataDir, 'chat.jsonl')}`,
    `  logs (JSON lines, with hb ids):   ${path.join(sandbox.dataDir, 'opsbeat.log')}`,
    `  the ledger:                       npm run opsbeat -- status --config ${sandbox.configFile}`,
    `  a plan, without executing it:     ${demoEnv} npm run opsbeat -- plan OPS-102 --config ${sandbox.configFile}`,
  ].join('\n'));
}

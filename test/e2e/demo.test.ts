import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STEPS } from '../../src/heartbeat/steps.js';
import { baseEnv, runOpsbeat, type ProcessResult } from '../helpers/sandbox-process.js';

// `npm start` runs `tsx src/cli.ts demo`; the same command, as a real process, start to finish.
let result: ProcessResult | undefined;
let sandbox: string | undefined;
afterAll(async () => {
  // The demo leaves its sandbox for the user to look around in; the test does not.
  if (sandbox?.startsWith(path.join(tmpdir(), 'opsbeat-demo-'))) await rm(sandbox, { recursive: true, force: true });
});

async function demo(): Promise<ProcessResult> {
  result ??= await runOpsbeat(['demo'], { env: baseEnv(), timeoutMs: 540_000 });
  sandbox ??= /sandbox: (\S+)/.exec(result.stdout)?.[1];
  return result;
}

describe('opsbeat demo (npm start)', { timeout: 600_000 }, () => {
  it('exits 0 after one full heartbeat, with nothing on stderr', async () => {
    const { code, stderr } = await demo();
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('narrates each of the six steps, each with its outcome', async () => {
    const { stdout } = await demo();
    const steps = [
      ['read-queue', 'read every rfp ticket from the board', '3 tickets in rfp'],
      ['gate-tickets', 'deploy only with CQ and QA pass and valid deploy notes; otherwise hold or ask', '2 deploy, 1 ask'],
      ['plan-deploys', 'build an explicit plan per ticket: pre-checks, command, post-checks, rollback', '2 plans'],
      ['execute-deploys', 'reconcile unfinished deployments, then run each plan; roll back at once on failure', '1 succeeded, 1 rolled back'],
      ['close-tickets', 'comment and move tickets of finished deployments; write and resolve hold comments', '1 closed, 1 moved to deploy-failed'],
      ['post-summary', 'ask, remind and resolve questions; post one summary to #standup', 'summary posted'],
    ];
    const headings = [...stdout.matchAll(/^── step (\d+): (\S+) — (.+)$/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    // The six of the deploy path first, then whatever steps follow them in the step table.
    expect(headings.slice(0, 6)).toEqual(steps.map(([name, purpose], i) => [i + 1, name, purpose]));
    expect(headings).toEqual(STEPS.map((s, i) => [i + 1, s.name, s.purpose]));
    // Each step's outcome line comes after its heading and before the next one.
    const sections = stdout.split(/^── /m).slice(1);
    for (const [i, [, , summary]] of steps.entries()) {
      expect(sections[i]).toMatch(new RegExp(`^step ${i + 1}: `));
      expect(sections[i]).toContain(`   ✔ ${summary}\n`);
    }
    expect(stdout).toMatch(/── what happened\nheartbeat hb-\S+: ok\n/);
  });

  it('deploys OPS-101 and closes it', async () => {
    const { stdout } = await demo();
    expect(stdout).toContain('#standup (updated) ✔ OPS-101 → hotdash (registry.fly.io/hotdash:3f9c2e1): done\n');
    expect(stdout).toContain('      OPS-101 Tiles API: cache the dashboard tiles → hotdash v4 (registry.fly.io/hotdash:3f9c2e1)\n');
    expect(stdout).toContain('\n  OPS-101 Tiles API: cache the dashboard tiles: closed\n');
  });

  it('holds OPS-102 with one question in #standup, leaving it in rfp', async () => {
    const { stdout } = await demo();
    const questions = stdout.match(/^#standup ! Question: .+$/gm);
    expect(questions).toEqual(['#standup ! Question: OPS-102 Dashboard: new date picker: no QA record']);
    expect(stdout).toContain(
      '      OPS-102 “Dashboard: new date picker” is ready for production, but opsbeat will not deploy it: there is no QA record yet; carol or qa-bot can add a comment whose first line is `QA: pass` or `QA: failed — <why>`. It deploys once both CQ and QA pass.\n',
    );
    expect(stdout).toContain('      OPS-102: question asked in #standup\n');
    expect(stdout).toContain('\n  OPS-102 Dashboard: new date picker: rfp\n');
  });

  it('rolls OPS-103 back after its failed health check and moves it to deploy-failed', async () => {
    const { stdout } = await demo();
    expect(stdout).toContain('#standup (updated) ! OPS-103 → billing (registry.fly.io/billing:8d1e4aa): rolled back\n');
    expect(stdout).toMatch(/ {6}OPS-103 → billing: health endpoint HTTP 503 in \d+ ms \(expected 200\) — back on registry\.fly\.io\/billing:41aa9c0\n/);
    expect(stdout).toContain('\n  OPS-103 Billing: settle invoices in batches: deploy-failed\n');
    expect(stdout).toMatch(/^#standup ! Deploy summary: 1 deployed, 1 rolled back, 1 not deployed$/m);
  });

  it('suggests follow-up commands that work from a plain shell', async () => {
    const { stdout } = await demo();
    const ledger = /^ {2}the ledger: +npm run opsbeat -- (status --config \S+)$/m.exec(stdout);
    const plan = /^ {2}a plan, without executing it: +((?:[A-Z_]+=\S+ )*)npm run opsbeat -- (plan OPS-102 --config \S+)$/m.exec(stdout);
    expect(ledger).not.toBeNull();
    expect(plan).not.toBeNull();
    const status = await runOpsbeat(ledger![1]!.split(' '), { env: baseEnv() });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^ {2}\S+ {2}succeeded {4}OPS-101 → hotdash v4 registry\.fly\.io\/hotdash:3f9c2e1$/m);
    expect(status.stdout).toMatch(/^ {2}\S+ {2}rolled_back {2}OPS-103 → billing/m);
    const vars = Object.fromEntries(plan![1]!.trim().split(' ').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
    expect(Object.keys(vars).sort()).toEqual(['FLY_API_TOKEN', 'FLY_SIMULATOR_CALLS', 'FLY_SIMULATOR_STATE']);
    const planned = await runOpsbeat(plan![2]!.split(' '), { env: baseEnv(vars) });
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/^OPS-102 Dashboard: new date picker — not deployed: a question for #standup \(qa_missing\)\n/);
  });

  it('ran exactly two fly deploys of ticket images, and the one rollback — nothing else', async () => {
    const { stdout } = await demo();
    const line = /^flyctl deploys run: (\d+) \((.*)\)$/m.exec(stdout);
    expect(line).not.toBeNull();
    const images = line![2]!.split(', ');
    expect(Number(line![1])).toBe(images.length);
    const ticketImages: string[] = images.filter((i) => i === 'registry.fly.io/hotdash:3f9c2e1' || i === 'registry.fly.io/billing:8d1e4aa');
    expect(ticketImages.sort()).toEqual(['registry.fly.io/billing:8d1e4aa', 'registry.fly.io/hotdash:3f9c2e1']);
    // The only other deploy returns billing to the release that was live before.
    expect(images.filter((i) => !ticketImages.includes(i))).toEqual(['registry.fly.io/billing:41aa9c0']);
    expect(images.indexOf('registry.fly.io/billing:41aa9c0')).toBeGreaterThan(images.indexOf('registry.fly.io/billing:8d1e4aa'));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createProcessSandbox, freePort, readyTicket, type ProcessSandbox, type StatusJson } from '../helpers/sandbox-process.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

let box: ProcessSandbox | undefined;
afterEach(async () => {
  await box?.close();
  box = undefined;
});

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;
const HB = /hb-\d{8}T\d{4}Z-[0-9a-f]{6}/g;
const DEP = /dep-[0-9a-f-]{36}/g;
const normalise = (text: string) => text.replace(ISO, '<time>').replace(HB, '<hb>').replace(DEP, '<dep>');

const tickets = () => [readyTicket(new TicketBuilder('OPS-1').title('Cache tiles')), new TicketBuilder('OPS-2').title('Date picker').comment('alice', 'CQ: pass')];

describe('opsbeat status', { timeout: 300_000 }, () => {
  it('says there is nothing yet on a first start, creating the embedded store', async () => {
    box = await createProcessSandbox({ seedStore: false });
    const result = await box.run(['status']);
    expect(result).toMatchObject({
      code: 0,
      stderr: '',
      stdout: ['Heartbeats (newest first)', '  none yet', '', 'Deployments (newest first)', '  none yet', '', 'Open questions and holds', '  none', ''].join('\n'),
    });
  });

  it('shows the heartbeat, the deployment and the open question after a heartbeat, as text and as JSON', async () => {
    box = await createProcessSandbox({ tickets: tickets() });
    expect((await box.run(['once'])).code).toBe(0);

    const text = await box.run(['status']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    // The heartbeat's summary names every step; the deploy path's six come first.
    const summary = 'read-queue: 2 tickets in rfp; gate-tickets: 1 deploy, 1 ask; plan-deploys: 1 plan; execute-deploys: 1 succeeded; close-tickets: 1 closed; post-summary: summary posted';
    const heartbeatLine = normalise(text.stdout).split('\n')[1]!;
    expect(heartbeatLine.startsWith(`  <time>  ok      once     <hb>  ${summary}`)).toBe(true);
    expect(normalise(text.stdout).replace(heartbeatLine, '  <heartbeat>')).toBe(
      [
        'Heartbeats (newest first)',
        '  <heartbeat>',
        '',
        'Deployments (newest first)',
        '  <time>  succeeded    OPS-1 → hotdash-staging v3 registry.fly.io/hotdash-staging:3f9c2e1',
        '',
        'Open questions and holds',
        '  <time>  question OPS-2: qa_missing',
        '',
      ].join('\n'),
    );

    const json = await box.run(['status', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(json.stdout) as StatusJson;
    expect(report.heartbeats).toEqual([expect.objectContaining({ trigger: 'once', outcome: 'ok', finishedAt: expect.stringMatching(ISO) })]);
    expect(report.deployments).toEqual([
      expect.objectContaining({ ticket: 'OPS-1', app: 'hotdash-staging', image: 'registry.fly.io/hotdash-staging:3f9c2e1', state: 'succeeded', releaseVersion: 3, failure: null }),
    ]);
    expect(report.open).toEqual([
      expect.objectContaining({ kind: 'question', ticket: 'OPS-2', reason: 'qa_missing', text: 'Question about OPS-2 Date picker: no QA record' }),
    ]);
  });

  it('asks the running daemon over loopback when the daemon holds the embedded store', async () => {
    const port = await freePort();
    box = await createProcessSandbox({ tickets: tickets(), configYaml: [`http: { port: ${port}, host: 127.0.0.1 }`] });
    const daemon = box.spawn(['start']);
    await daemon.waitForOutput(/"msg":"heartbeat finished"/, 120_000);

    const [text, json] = [await box.run(['status']), await box.run(['status', '--json'])];
    expect(text.code).toBe(0);
    expect(normalise(text.stdout)).toContain('Deployments (newest first)\n  <time>  succeeded    OPS-1 → hotdash-staging v3 registry.fly.io/hotdash-staging:3f9c2e1\n');
    expect(normalise(text.stdout)).toContain('  <time>  ok      startup  <hb>  read-queue: 2 tickets in rfp;');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as StatusJson;
    expect(report.heartbeats.map((h) => [h.trigger, h.outcome])).toEqual([['startup', 'ok']]);
    expect(report.deployments.map((d) => [d.ticket, d.state])).toEqual([['OPS-1', 'succeeded']]);
    expect(report.open.map((n) => [n.kind, n.ticket])).toEqual([['question', 'OPS-2']]);

    // A command that needs the store itself says who holds it and what to do instead.
    const plan = await box.run(['plan', 'OPS-2']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toBe('');
    expect(plan.stderr).toBe(
      [
        'opsbeat: the embedded database is in use by another opsbeat process [store_locked]',
        `The data folder is locked by process ${daemon.pid} on ${plan.stderr.match(/ on (\S+) \(since/)?.[1]} (since ${plan.stderr.match(/\(since (\S+)\)/)?.[1]}): \`${box.dataDir}/opsbeat.lock\`.`,
        'The embedded database (PGlite) can be opened by one process at a time.',
        '- To see what the running daemon is doing, use `opsbeat status`: it asks the daemon over HTTP instead of opening the database.',
        '- To run several daemons at once, configure `store.url` (Postgres).',
        '- If that process is gone (for example on another machine sharing the folder), delete the lock file.',
        '',
      ].join('\n'),
    );

    // `once` says another daemon leads (exit 2), as the usage promises, and runs nothing.
    const once = await box.run(['once']);
    expect(once.code).toBe(2);
    expect(once.stdout).toBe('');
    expect(once.stderr).toMatch(/^another opsbeat daemon holds the heartbeat lock; nothing was run\nopsbeat: the embedded database is in use by another opsbeat process \[store_locked\]\n/);

    daemon.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
});

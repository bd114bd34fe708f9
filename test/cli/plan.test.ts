import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessSandbox, type ProcessSandbox } from '../helpers/sandbox-process.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

const CQ_AT = '2026-01-05T10:00:00.000Z';
const QA_AT = '2026-01-05T11:30:00.000Z';

let box: ProcessSandbox;
beforeAll(async () => {
  box = await createProcessSandbox({
    tickets: [
      new TicketBuilder('OPS-1')
        .title('Cache tiles')
        .notes('app: hotdash-staging\nref: 3f9c2e1\nenv: [SESSION_SECRET]')
        .comment('alice', 'CQ: pass', CQ_AT)
        .comment('carol', 'QA: pass', QA_AT),
      new TicketBuilder('OPS-2').title('Date picker').comment('alice', 'CQ: pass', CQ_AT),
      new TicketBuilder('OPS-3').title('Bad notes').notes('app: hotdash-staging\nref: [oops').comment('alice', 'CQ: pass', CQ_AT).comment('carol', 'QA: pass', QA_AT),
    ],
  });
}, 300_000);
afterAll(async () => {
  await box?.close();
});

const command = (image: string, strategy: string) =>
  `fly deploy --app hotdash-staging --image ${image} --strategy ${strategy} --wait-timeout 300s --deploy-retries 0 --yes`;

describe('opsbeat plan', { timeout: 300_000 }, () => {
  it('prints the gate evidence, pre-checks, the exact fly command, post-checks and the rollback', async () => {
    const result = await box.run(['plan', 'OPS-1']);
    const url = box.appsUrl;
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'OPS-1 Cache tiles — will deploy',
        '  app hotdash-staging, ref 3f9c2e1 → registry.fly.io/hotdash-staging:3f9c2e1',
        `  evidence: CQ pass by alice (${CQ_AT}), QA pass by carol (${QA_AT})`,
        'Pre-checks',
        '  1. not locked: no lock on hotdash-staging and no freeze of all apps (read when the check runs)',
        '  2. deploy window: always open',
        `  3. app healthy: hotdash-staging app machines started with passing checks; ${url}/hotdash-staging/health answers 200 within 2000 ms`,
        '  4. rollback target known: registry.fly.io/hotdash-staging:b71c0de (v2)',
        '  5. secrets present on hotdash-staging: SESSION_SECRET',
        'Deploy',
        `  ${command('registry.fly.io/hotdash-staging:3f9c2e1', 'rolling')}`,
        'Post-checks (any failure rolls back at once)',
        '  1. machines: every app machine of hotdash-staging started on registry.fly.io/hotdash-staging:3f9c2e1 with passing checks',
        `  2. health: ${url}/hotdash-staging/health answers 200 within 2000 ms`,
        `  3. smoke: ${url}/hotdash-staging/ answers 200 within 3000 ms`,
        '  4. log scan: no error lines in the first 100 log lines after the release',
        'Rollback (to v2)',
        `  ${command('registry.fly.io/hotdash-staging:b71c0de', 'immediate')}`,
        '',
      ].join('\n'),
    );
    // A dry run: Fly was read, never deployed to.
    const calls = await box.flyCalls();
    expect(calls.map((c) => c.argv[0])).not.toContain('deploy');
    expect(calls.length).toBeGreaterThan(0);
  });

  it('prints the same plan as JSON with --json', async () => {
    const result = await box.run(['plan', 'OPS-1', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const parsed = JSON.parse(result.stdout) as {
      decision: { kind: string };
      plan: { app: string; image: string; deploy: { command: string[] }; rollback: { image: string; version: number; command: string[] } };
    };
    expect(parsed.decision).toEqual({ kind: 'deploy' });
    expect(parsed.plan).toMatchObject({ app: 'hotdash-staging', image: 'registry.fly.io/hotdash-staging:3f9c2e1' });
    expect(parsed.plan.deploy.command.join(' ')).toBe(command('registry.fly.io/hotdash-staging:3f9c2e1', 'rolling'));
    expect(parsed.plan.rollback).toMatchObject({ image: 'registry.fly.io/hotdash-staging:b71c0de', version: 2 });
    expect(parsed.plan.rollback.command.join(' ')).toBe(command('registry.fly.io/hotdash-staging:b71c0de', 'immediate'));
  });

  it('prints the question for a ticket the gate would ask about', async () => {
    const result = await box.run(['plan', 'OPS-2']);
    expect(result).toMatchObject({
      code: 0,
      stderr: '',
      stdout: [
        'OPS-2 Date picker — not deployed: a question for #standup (qa_missing)',
        '',
        'OPS-2 “Date picker” is ready for production, but opsbeat will not deploy it: there is no QA record yet; carol can add a comment whose first line is `QA: pass` or `QA: failed — <why>`. It deploys once both CQ and QA pass.',
        '',
      ].join('\n'),
    });
  });

  it('prints the hold message for a held ticket, as text and as JSON', async () => {
    const text = await box.run(['plan', 'OPS-3']);
    const json = await box.run(['plan', 'OPS-3', '--json']);
    const message = [
      'opsbeat is holding this ticket: its deploy notes cannot be used.',
      '',
      'Line 5 of the description:',
      '',
      '```',
      'ref: [oops',
      '```',
      '',
      'This is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]). Check the indentation and the quotes; a value containing `: ` or ` #` needs quotes.',
      '',
      'Fix the `deploy` block in the description; opsbeat reads it again on its next heartbeat.',
    ].join('\n');
    expect(text).toMatchObject({ code: 0, stderr: '', stdout: `OPS-3 Bad notes — held (notes_invalid)\n\n${message}\n` });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ decision: { kind: 'hold', ticket: 'OPS-3', reason: 'notes_invalid', text: message } });
  });

  it('says clearly that a ticket does not exist, and exits 1', async () => {
    const result = await box.run(['plan', 'OPS-404']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'opsbeat: the ticket does not exist on the board [ticket_not_found]\nThere is no file OPS-404.md in the board folder.\n',
    });
  });

  it('prints its usage without a ticket, and exits 1', async () => {
    const result = await box.run(['plan']);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'usage: opsbeat plan <ticket>   (e.g. opsbeat plan OPS-101)\n' });
  });

  it('changed nothing on the board', async () => {
    expect(await box.ticketFile('OPS-1')).toMatch(/^status: rfp$/m);
    expect(await box.ticketFile('OPS-3')).not.toContain('opsbeat');
    expect(await box.chatTranscript()).toBe('');
  });
});

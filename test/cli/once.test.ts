import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { STEPS } from '../../src/heartbeat/steps.js';
import { createProcessSandbox, readyTicket, type ProcessSandbox } from '../helpers/sandbox-process.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

let box: ProcessSandbox | undefined;
afterEach(async () => {
  await box?.close();
  box = undefined;
});

const HB = /hb-\d{8}T\d{4}Z-[0-9a-f]{6}/g;
const withoutHb = (text: string): string => text.replace(HB, '<hb>');

function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The chat lines before the step table, then the table: the six deploy-path rows exactly, and the later steps as the step table lists them. */
function expectOutput(stdout: string, chat: string[], outcome: 'ok' | 'failed', deployPath: string[]): void {
  const text = withoutHb(stdout);
  expect(text.slice(0, text.indexOf('heartbeat <hb>: '))).toBe(chat.map((l) => `${l}\n`).join(''));
  const table = stepTable(stdout);
  expect(table.outcome).toBe(outcome);
  expect(table.deployPath).toEqual(deployPath);
  expect(table.laterSteps.map((s) => s.step)).toEqual(STEPS.slice(6).map((s) => s.name));
}

const noQa = () => new TicketBuilder('OPS-2').title('Date picker').comment('alice', 'CQ: pass');
const badNotes = () =>
  new TicketBuilder('OPS-3').title('Bad notes').notes('app: hotdash-staging\nref: [oops').comment('alice', 'CQ: pass').comment('carol', 'QA: pass');

describe('opsbeat once', { timeout: 300_000 }, () => {
  it('exits 0 when the heartbeat ran, held tickets included, and prints the chat and the step table', async () => {
    box = await createProcessSandbox({ tickets: [noQa(), badNotes()] });
    const result = await box.run(['once']);
    expect(result.code).toBe(0);
    expectOutput(result.stdout, [
      '#standup ! Question: OPS-2 Date picker: no QA record',
      '      OPS-2 “Date picker” is ready for production, but opsbeat will not deploy it: there is no QA record yet; carol can add a comment whose first line is `QA: pass` or `QA: failed — <why>`. It deploys once both CQ and QA pass.',
      '#standup ✔ Deploy summary: 2 not deployed',
      '    Not deployed',
      '      OPS-3: notes invalid — see the comment on the ticket',
      '      OPS-2: question asked in #standup',
      '      heartbeat <hb>',
    ], 'ok', [
      '  read-queue       done     2 tickets in rfp',
      '  gate-tickets     done     1 ask, 1 hold',
      '  plan-deploys     done     0 plans',
      '  execute-deploys  done     nothing deployed',
      '  close-tickets    done     1 held',
      '  post-summary     done     summary posted',
    ]);
    // Logs go to stderr as JSON lines, every heartbeat line carrying the heartbeat id.
    const lines = logLines(result.stderr);
    const hb = /heartbeat (hb-\S+): ok/.exec(result.stdout)![1];
    expect(lines.filter((l) => l.msg === 'step finished').map((l) => [l.hb, l.step])).toEqual(
      STEPS.map((s) => [hb, s.name]),
    );
    expect(await box.deployCalls()).toEqual([]);
    expect(await box.ticketFile('OPS-3')).toContain('opsbeat is holding this ticket: its deploy notes cannot be used.');
  });

  it('exits 1 when a step fails (the board folder is gone), still running the independent steps', async () => {
    box = await createProcessSandbox({ tickets: [noQa()] });
    await rm(box.boardDir, { recursive: true });
    const result = await box.run(['once']);
    expect(result.code).toBe(1);
    expectOutput(result.stdout, [
      '#standup ✖ Deploy summary: 1 problem',
      '    Problems',
      '      read-queue: the board folder cannot be read [board_io_failed]',
      '      heartbeat <hb>',
    ], 'failed', [
      '  read-queue       failed   the board folder cannot be read',
      '  gate-tickets     skipped  skipped: needs read-queue, which did not finish',
      '  plan-deploys     skipped  skipped: needs gate-tickets, which did not finish',
      '  execute-deploys  done     nothing deployed',
      '  close-tickets    done     nothing to close',
      '  post-summary     done     summary posted',
    ]);
    const failure = logLines(result.stderr).find((l) => l.msg === 'step failed');
    expect(failure).toMatchObject({ level: 'error', step: 'read-queue', code: 'board_io_failed' });
  });

  it('exits 1 when Fly answers garbage, and deploys nothing', async () => {
    box = await createProcessSandbox({ tickets: [readyTicket(new TicketBuilder('OPS-1'))], faults: [{ command: 'status', mode: 'garbage' }] });
    const result = await box.run(['once']);
    expect(result.code).toBe(1);
    expectOutput(result.stdout, [
      '#standup ✖ Deploy summary: 1 problem',
      '    Problems',
      '      plan-deploys (OPS-1): fly status returned output that is not the expected JSON [bad_response]',
      '      heartbeat <hb>',
    ], 'failed', [
      '  read-queue       done     1 ticket in rfp',
      '  gate-tickets     done     1 deploy',
      '  plan-deploys     done     0 plans',
      '                            problem: OPS-1: fly status returned output that is not the expected JSON [bad_response]',
      '  execute-deploys  done     nothing deployed',
      '  close-tickets    done     nothing to close',
      '  post-summary     done     summary posted',
    ]);
    expect(logLines(result.stderr).find((l) => l.level === 'warn')).toMatchObject({
      step: 'plan-deploys',
      subject: 'OPS-1',
      code: 'bad_response',
      msg: 'step problem',
    });
    expect(await box.deployCalls()).toEqual([]);
    expect(await box.ticketFile('OPS-1')).toMatch(/^status: rfp$/m);
  });

  it('exits 1 with every configuration problem and runs nothing', async () => {
    box = await createProcessSandbox({ tickets: [readyTicket(new TicketBuilder('OPS-1'))] });
    await writeFile(box.configFile, 'board: { kind: files }\nreviewers: { cq: [alice], qa: [] }\nschedul: "* * * * *"\n');
    const result = await box.run(['once']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: [
        `${box.configFile}:3: schedul: unknown key; did you mean "schedule"?`,
        `opsbeat cannot start: fix ${box.configFile} (opsbeat config check shows the same list)`,
        '',
      ].join('\n'),
    });
    expect(await box.flyCalls()).toEqual([]);
  });

  it('exits 1 without FLY_API_TOKEN, naming the variable', async () => {
    box = await createProcessSandbox({ tickets: [readyTicket(new TicketBuilder('OPS-1'))], env: { FLY_API_TOKEN: undefined } });
    const result = await box.run(['once']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'environment: FLY_API_TOKEN is not set; it is needed for flyctl calls (platform.kind: fly)\n',
    });
    expect(await box.flyCalls()).toEqual([]);
  });
});

/**
 * The step table `opsbeat once` prints after `heartbeat <hb>: <outcome>`, split
 * into the rows of the deploy path (steps 1–6, with their problem lines) and the names of the
 * steps after them, so a test can assert the first exactly and follow `STEPS` for the rest.
 */
function stepTable(stdout: string): { outcome: string; deployPath: string[]; laterSteps: { step: string; status: string }[] } {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^heartbeat hb-\S+: (ok|failed)$/.test(l));
  if (start < 0) throw new Error(`no step table in:\n${stdout}`);
  const outcome = lines[start]!.split(': ')[1]!;
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    rows.push(line);
  }
  const stepIndexes = rows.flatMap((r, i) => (/^ {2}\S/.test(r) ? [i] : []));
  const cut = stepIndexes[6] ?? rows.length;
  const laterSteps = rows.slice(cut).flatMap((r) => {
    const m = /^ {2}(\S+)\s+(\S+)/.exec(r);
    return m ? [{ step: m[1]!, status: m[2]! }] : [];
  });
  return { outcome, deployPath: rows.slice(0, cut), laterSteps };
}

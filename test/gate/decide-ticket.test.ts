import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/errors.js';
import { decideTicket } from '../../src/gate/decide-ticket.js';
import { parseDeployNotes } from '../../src/gate/parse-deploy-notes.js';
import type { GateDecision } from '../../src/gate/types.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';
import { FAKE } from './fake-secrets.js';
import { factsFor } from './gate-facts.js';

const passing = (): TicketBuilder => new TicketBuilder().comment('alice', 'CQ: pass').comment('carol', 'QA: pass');

async function decide(builder: TicketBuilder, overrides: Parameters<typeof factsFor>[1] = {}): Promise<GateDecision> {
  return decideTicket(await factsFor(builder.build(), overrides));
}

function holdOf(decision: GateDecision): { reason: string; message: string } {
  if (decision.kind !== 'hold') throw new Error(`expected a hold, got ${decision.kind}`);
  return { reason: decision.reason, message: decision.message };
}

function askOf(decision: GateDecision): { reason: string; question: string } {
  if (decision.kind !== 'ask') throw new Error(`expected an ask, got ${decision.kind}`);
  return { reason: decision.reason, question: decision.question };
}

const TICKET = 'OPS-101 “Ship the new checkout” is ready for production, but opsbeat will not deploy it:';
const END = 'It deploys once both CQ and QA pass.';
const SECRET_ADVICE =
  'opsbeat does not deploy a ticket that holds a secret, and does not repeat the value anywhere. ' +
  'Remove it from the ticket, then rotate it: everyone who can read this board may have seen it. ' +
  'Secrets belong on the app (`fly secrets set`); the deploy notes list only their names under `env:`.';

describe('decideTicket: deploy', () => {
  it('deploys when authorised CQ and QA records pass', async () => {
    const decision = await decide(passing().notes('app: hotdash-staging\nref: 3f9c2e1\nmigrations: |\n  alter table orders add column note text;'));
    expect(decision).toMatchObject({
      kind: 'deploy',
      image: 'registry.fly.io/hotdash-staging:3f9c2e1',
      app: { name: 'hotdash-staging' },
      notes: { app: 'hotdash-staging', ref: '3f9c2e1' },
      evidence: { cq: { author: 'alice', result: 'pass', source: 'c1' }, qa: { author: 'carol', result: 'pass', source: 'c2' } },
      emergency: null,
      migrations: { checks: [{ kind: 'column_exists', schema: 'public', table: 'orders', column: 'note' }] },
    });
  });

  it('counts members of a reviewer team, and compares names case-insensitively', async () => {
    const decision = await decide(new TicketBuilder().comment('Bob', 'CQ: approved').comment('CAROL', 'qa - PASSED'), {
      teams: { '@ACME/Reviewers': ['BOB'] },
    });
    expect(decision).toMatchObject({ kind: 'deploy', evidence: { cq: { author: 'Bob' }, qa: { author: 'CAROL' } } });
  });

  it('lets the latest authorised record win: fail then pass deploys', async () => {
    const decision = await decide(passing().comment('alice', 'CQ: failed — N+1 query').comment('alice', 'CQ: pass'));
    expect(decision).toMatchObject({ kind: 'deploy', evidence: { cq: { source: 'c4' } } });
  });

  it('ignores records from people who are not reviewers when an authorised one exists', async () => {
    expect((await decide(passing().comment('mallory', 'QA: failed'))).kind).toBe('deploy');
  });

  it('ignores opsbeat comments that look like records', async () => {
    const decision = await decide(new TicketBuilder().opsbeatComment('gate', 'CQ: pass').comment('carol', 'QA: pass'));
    expect(askOf(decision).reason).toBe('cq_missing');
  });

  it('accepts a record naming the current ref, even when written before the ref was first seen', async () => {
    const decision = await decide(
      new TicketBuilder().notes('app: hotdash\nref: 3f9c2e1a4b5c').comment('alice', 'CQ: pass @ 3f9c2e1').comment('carol', 'QA: pass @ 3F9C2E1A4B5C'),
      { refChangedAt: new Date('2026-11-26T00:00:00Z') },
    );
    expect(decision.kind).toBe('deploy');
  });

  it('bypasses windows for an emergency labelled by an operator only', async () => {
    const byOperator = await decide(passing().label('emergency', 'Dave', '2026-11-25T09:00:00Z'));
    expect(byOperator).toMatchObject({ kind: 'deploy', emergency: { by: 'Dave', at: '2026-11-25T09:00:00.000Z' } });
    const byOther = await decide(passing().label('emergency', 'mallory', '2026-11-25T09:00:00Z'));
    expect(byOther).toMatchObject({ kind: 'deploy', emergency: null });
    const unknownAuthor = await decide(passing().label('emergency'));
    expect(unknownAuthor).toMatchObject({ kind: 'deploy', emergency: null });
  });
});

describe('decideTicket: ask in #standup', () => {
  it('asks for a missing QA record', async () => {
    expect(askOf(await decide(new TicketBuilder().comment('alice', 'CQ: pass')))).toEqual({
      reason: 'qa_missing',
      question: `${TICKET} there is no QA record yet; qa-bot or carol can add a comment whose first line is \`QA: pass\` or \`QA: failed — <why>\`. ${END}`,
    });
  });

  it('asks about both reviews in one paragraph', async () => {
    expect(askOf(await decide(new TicketBuilder()))).toEqual({
      reason: 'cq_missing',
      question:
        `${TICKET} there is no CQ record yet; alice or @acme/reviewers can add a comment whose first line is \`CQ: pass\` or \`CQ: failed — <why>\`; ` +
        `and there is no QA record yet; qa-bot or carol can add a comment whose first line is \`QA: pass\` or \`QA: failed — <why>\`. ${END}`,
    });
  });

  it('asks when the latest CQ record failed, quoting it', async () => {
    expect(askOf(await decide(passing().comment('alice', 'CQ: failed — N+1 query in `checkout`')))).toEqual({
      reason: 'cq_failed',
      question: `${TICKET} the latest CQ record, \`CQ: failed — N+1 query in 'checkout'\` by alice at 2026-11-25 09:03 UTC, is a fail; alice or @acme/reviewers can record \`CQ: pass\` once it is fixed. ${END}`,
    });
  });

  it('asks when pass is followed by fail', async () => {
    expect(askOf(await decide(passing().comment('qa-bot', 'QA: failed')))).toMatchObject({ reason: 'qa_failed' });
  });

  it('names who wrote unauthorised records and who may', async () => {
    expect(askOf(await decide(new TicketBuilder().comment('alice', 'CQ: pass').comment('mallory', 'QA: pass').comment('eve', 'QA: lgtm')))).toEqual({
      reason: 'reviewer_unauthorised',
      question:
        `${TICKET} the only QA records are by mallory and eve, who are not QA reviewers; qa-bot or carol can add a record, ` +
        `or an operator can add them to reviewers.qa in the opsbeat configuration. ${END}`,
    });
    expect(askOf(await decide(new TicketBuilder().comment('alice', 'CQ: pass').comment('mallory', 'QA: pass'))).question).toContain(
      'the only QA records are by mallory, who is not a QA reviewer;',
    );
  });

  it('asks when the ref changed after the record', async () => {
    expect(askOf(await decide(passing(), { refChangedAt: new Date('2026-11-25T09:30:00Z') }))).toEqual({
      reason: 'record_stale',
      question:
        `${TICKET} the latest CQ record, \`CQ: pass\` by alice at 2026-11-25 09:01 UTC, is older than the current ref \`3f9c2e1\` (first seen 2026-11-25 09:30 UTC); ` +
        'alice or @acme/reviewers can check `3f9c2e1` and record the result again; ' +
        'and the latest QA record, `QA: pass` by carol at 2026-11-25 09:02 UTC, is older than the current ref `3f9c2e1` (first seen 2026-11-25 09:30 UTC); ' +
        `qa-bot or carol can check \`3f9c2e1\` and record the result again. ${END}`,
    });
  });

  it('accepts records written after the ref changed', async () => {
    expect((await decide(passing(), { refChangedAt: new Date('2026-11-25T09:00:30Z') })).kind).toBe('deploy');
  });

  it('asks when the record names another ref', async () => {
    expect(askOf(await decide(new TicketBuilder().comment('alice', 'CQ: pass').comment('carol', 'QA: pass @ 9b8a7c6')))).toEqual({
      reason: 'record_stale',
      question: `${TICKET} the latest QA record, \`QA: pass @ 9b8a7c6\` by carol at 2026-11-25 09:02 UTC, is for \`9b8a7c6\`, not the current ref \`3f9c2e1\`; qa-bot or carol can check \`3f9c2e1\` and record the result again. ${END}`,
    });
  });

  it('asks when a record contradicts itself', async () => {
    expect(askOf(await decide(new TicketBuilder().comment('alice', 'CQ: pass').comment('carol', 'QA: pass\nUpdate — QA: failed on Safari')))).toEqual({
      reason: 'record_conflicting',
      question: `${TICKET} the latest QA record, \`QA: pass\` by carol at 2026-11-25 09:02 UTC, says both pass and fail; qa-bot or carol can add a comment whose first line is \`QA: pass\` or \`QA: failed — <why>\`. ${END}`,
    });
  });

  it('asks when the latest record says neither pass nor fail', async () => {
    expect(askOf(await decide(passing().comment('carol', 'QA: retesting tomorrow')))).toEqual({
      reason: 'record_conflicting',
      question: `${TICKET} the latest QA record, \`QA: retesting tomorrow\` by carol at 2026-11-25 09:03 UTC, says neither pass nor fail; qa-bot or carol can add a comment whose first line is \`QA: pass\` or \`QA: failed — <why>\`. ${END}`,
    });
  });
});

describe('decideTicket: hold, with a comment for the author', () => {
  it('waits while a deployment of the ticket is still running', async () => {
    expect(await decide(passing(), { deploymentInProgress: true })).toMatchObject({ kind: 'wait', reason: 'deploy_in_progress' });
  });

  it('passes bad deploy notes through with their message', async () => {
    const ticket = passing().notes('app: hotdash\nref: --force');
    const notes = parseDeployNotes(ticket.build().body);
    expect(holdOf(await decide(ticket))).toEqual({ reason: 'notes_invalid', message: notes.ok ? '' : notes.message });
    expect(holdOf(await decide(passing().notes(undefined))).reason).toBe('notes_missing');
  });

  it('holds an unknown app, listing the configured apps', async () => {
    expect(holdOf(await decide(passing().notes('ref: 3f9c2e1\napp: hotdash-stagin')))).toEqual({
      reason: 'app_unknown',
      message:
        'opsbeat is holding this ticket: app `hotdash-stagin` is not configured.\n\n' +
        'Line 5 of the description:\n\n```\napp: hotdash-stagin\n```\n\n' +
        'The configured apps are `hotdash` and `hotdash-staging`. Did you mean `hotdash-staging`?\n\n' +
        'Fix `app:` in the `deploy` block, or ask an operator to add the app to the opsbeat configuration.',
    });
  });

  it('holds a token-shaped string in the description, without repeating it', async () => {
    const decision = holdOf(await decide(passing().introduction(`Deploy with ${FAKE.slack} please.`)));
    expect(decision).toEqual({
      reason: 'secret_in_ticket',
      message: `opsbeat is holding this ticket: it contains what looks like a secret.\n\n- line 1 of the description: a Slack token\n\n${SECRET_ADVICE}`,
    });
    expect(decision.message).not.toContain(FAKE.slack);
  });

  it('holds a token-shaped string in a comment, naming the comment, before looking at anything else', async () => {
    const decision = holdOf(
      await decide(new TicketBuilder().notes(undefined).comment('dave', `Here is the DB:\n${FAKE.urlPassword}\nand ${FAKE.stripeLive}`)),
    );
    expect(decision).toEqual({
      reason: 'secret_in_ticket',
      message:
        'opsbeat is holding this ticket: it contains what looks like a secret.\n\n' +
        '- line 2 of the comment by dave at 2026-11-25 09:01 UTC: a URL with a password\n' +
        '- line 3 of the comment by dave at 2026-11-25 09:01 UTC: a Stripe secret key\n\n' +
        SECRET_ADVICE,
    });
    expect(decision.message).not.toContain('Sup3r-s3cret');
    expect(decision.message).not.toContain(FAKE.stripeLive);
  });

  it('holds a token-shaped string in the title: the title goes to #standup', async () => {
    expect(holdOf(await decide(passing().title(`Rotate ${FAKE.aws}`))).message).toContain('- line 1 of the title: an AWS access key\n');
  });

  it("holds a ticket holding the value of one of opsbeat's own secrets, even when it is not token-shaped", async () => {
    const ticket = passing().build();
    const facts = await factsFor(ticket, { knownSecrets: [{ line: 7, kind: 'known_secret', where: 'description' }] });
    expect(holdOf(decideTicket(facts))).toEqual({
      reason: 'secret_in_ticket',
      message:
        'opsbeat is holding this ticket: it contains what looks like a secret.\n\n' +
        '- line 7 of the description: the value of a secret opsbeat itself holds\n\n' +
        SECRET_ADVICE,
    });
  });

  it('does not scan opsbeat comments for secrets', async () => {
    expect((await decide(passing().opsbeatComment('gate', `quoted ${FAKE.github}`))).kind).toBe('deploy');
  });

  it('holds a ticket the board could only partly read, quoting lines that hold no secret', async () => {
    const ticket = passing().build();
    ticket.problems = [
      { line: 3, text: 'status: [rfp', message: 'The front matter is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]).' },
      { line: 9, text: `<!-- comment author="x" token="${FAKE.github}" -->`, message: 'This comment header needs a valid `at` time.' },
    ];
    expect(holdOf(decideTicket(await factsFor(ticket)))).toEqual({
      reason: 'notes_invalid',
      message:
        'opsbeat is holding this ticket: part of the ticket file cannot be read.\n\n' +
        'Line 3 of the ticket file:\n\n```\nstatus: [rfp\n```\n\nThe front matter is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]).\n\n' +
        'Line 9 of the ticket file: This comment header needs a valid `at` time.\n\n' +
        'Fix the file; opsbeat reads it again on its next heartbeat.',
    });
  });

  const NEVER = 'opsbeat never applies migrations: it only checks, read-only, that additive ones were applied before it deploys.';

  it('holds destructive migrations, quoting each statement and its line', async () => {
    const notes = 'app: hotdash\nref: 3f9c2e1\nmigrations: |\n  create table t (a int);\n  alter table orders\n    drop column note;\n  truncate audit;';
    expect(holdOf(await decide(passing().notes(notes)))).toEqual({
      reason: 'migration_destructive',
      message:
        'opsbeat is holding this ticket: its migrations are not additive-only.\n\n' +
        'Line 2 of `migrations` (a dropped column):\n\n```sql\nalter table orders\n  drop column note\n```\n\n' +
        'It drops column public.orders.note, which the release running now, and the rollback target, may still read or write.\n\n' +
        'Line 4 of `migrations` (a truncate):\n\n```sql\ntruncate audit\n```\n\nIt deletes every row of public.audit.\n\n' +
        `${NEVER} Apply an additive migration yourself first and list only that SQL under \`migrations:\`. ` +
        'Split destructive changes (drops, renames, type changes, data changes) into a later change that a person runs once no release needs the old schema.',
    });
  });

  it('holds migrations that do not parse, quoting the line', async () => {
    expect(holdOf(await decide(passing().notes('app: hotdash\nref: 3f9c2e1\nmigrations: |\n  create table a (x int);\n  create tabel b (y int);')))).toEqual({
      reason: 'migration_unparseable',
      message:
        'opsbeat is holding this ticket: the SQL under `migrations:` does not parse.\n\n' +
        'Line 2 of `migrations`:\n\n```\ncreate tabel b (y int);\n```\n\nPostgreSQL says: syntax error at or near "tabel".\n\n' +
        `Fix the SQL in the \`deploy\` block; opsbeat reads it again on its next heartbeat. ${NEVER}`,
    });
  });

  it('holds before asking: bad input is fixed by the author, not the reviewers', async () => {
    expect((await decide(new TicketBuilder().notes('app: nope\nref: 3f9c2e1'))).kind).toBe('hold');
  });

  it('refuses facts with migrations but no analysis: a bug in the caller', async () => {
    const facts = await factsFor(passing().notes('app: hotdash\nref: 3f9c2e1\nmigrations: select 1').build(), { migrations: undefined });
    expect(() => decideTicket(facts)).toThrow(InvariantError);
  });
});

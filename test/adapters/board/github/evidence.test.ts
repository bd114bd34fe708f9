import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../../../src/adapters/board/types.js';
import { decideTicket } from '../../../../src/gate/decide-ticket.js';
import { parseDeployNotes } from '../../../../src/gate/parse-deploy-notes.js';
import type { GateFacts } from '../../../../src/gate/types.js';
import { startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { TicketBuilder } from '../../../helpers/ticket-builder.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

const EVIDENCE = { evidence: { labels: true, pullRequestReviews: true } };

function gate(ticket: Ticket, teams: Record<string, string[]> = {}) {
  const app = {
    name: 'hotdash-staging',
    imageTemplate: 'registry.fly.io/hotdash-staging:{ref}',
    strategy: 'rolling' as const,
    waitTimeoutMs: 1000,
    processGroup: 'app',
    baseUrl: 'https://hotdash-staging.fly.dev',
    health: { url: 'https://hotdash-staging.fly.dev/health', maxMs: 2000 },
    smoke: [],
    secrets: [],
    database: undefined,
    logScanLines: 100,
  };
  const facts: GateFacts = {
    ticket,
    config: { apps: { 'hotdash-staging': app }, reviewers: { cq: ['alice', '@acme/reviewers'], qa: ['carol'], operators: ['dave'] } },
    teams,
    notes: parseDeployNotes(ticket.body),
    knownSecrets: [],
    migrations: undefined,
    refChangedAt: undefined,
    deploymentInProgress: false,
    now: new Date('2026-11-26T10:00:00Z'),
  };
  return decideTicket(facts);
}

describe('GithubBoard: review evidence besides comments', () => {
  it('reads cq/qa labels as records of whoever added them, from the issue events', async () => {
    fixture = await startGithubFixture();
    fixture.seed(new TicketBuilder().label('qa:pass', 'carol', '2026-11-25T10:00:00Z').label('CQ: pass', 'alice', '2026-11-25T09:30:00Z').build());
    const { board } = await fixture.board({ extra: EVIDENCE });
    const ticket = await board.readTicket('#1');
    expect(ticket.reviews).toEqual([
      { kind: 'cq', result: 'pass', author: 'alice', at: new Date('2026-11-25T09:30:00Z'), source: 'label:CQ: pass', line: 'label CQ: pass' },
      { kind: 'qa', result: 'pass', author: 'carol', at: new Date('2026-11-25T10:00:00Z'), source: 'label:qa:pass', line: 'label qa:pass' },
    ]);
    expect(gate(ticket)).toMatchObject({ kind: 'deploy', evidence: { cq: { source: 'label:CQ: pass' }, qa: { author: 'carol' } } });
  });

  it('a qa:pass label added by someone who is not a QA reviewer does not count', async () => {
    fixture = await startGithubFixture();
    fixture.seed(new TicketBuilder().comment('alice', 'CQ: pass').label('qa:pass', 'mallory', '2026-11-25T10:00:00Z').build());
    const { board } = await fixture.board({ extra: EVIDENCE });
    const decision = gate(await board.readTicket('#1'));
    expect(decision).toMatchObject({ kind: 'ask', reason: 'reviewer_unauthorised' });
    expect(decision.kind === 'ask' && decision.question).toContain('the only QA records are by mallory, who is not a QA reviewer');
  });

  it('ignores evidence labels when the source is not enabled', async () => {
    fixture = await startGithubFixture();
    fixture.seed(new TicketBuilder().label('qa:pass', 'carol').build());
    const { board } = await fixture.board();
    const ticket = await board.readTicket('#1');
    expect(ticket.reviews).toBeUndefined();
    expect(ticket.labels.map((l) => l.name)).toEqual(['qa:pass']);
  });

  it('reads approvals and change requests on pull requests that mention the ticket as CQ records, in any readable repository', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().comment('carol', 'QA: pass', '2026-11-25T08:00:00Z').build());
    const app = fixture.model.repo('acme', 'hotdash');
    const pull = fixture.model.pullRequest(app, { title: 'Cache tiles', by: 'bob', mentions: { repo: fixture.repo, issue } });
    fixture.model.review(pull, 'bob', 'COMMENTED', '2026-11-25T08:10:00Z');
    fixture.model.review(pull, 'erin', 'CHANGES_REQUESTED', '2026-11-25T08:20:00Z');
    fixture.model.review(pull, 'erin', 'APPROVED', '2026-11-25T08:40:00Z');
    const { board } = await fixture.board({ extra: EVIDENCE });
    const ticket = await board.readTicket('#1');
    expect(ticket.reviews?.map((r) => [r.kind, r.result, r.author, r.line])).toEqual([
      ['cq', 'fail', 'erin', 'changes-requested review of acme/hotdash#1'],
      ['cq', 'pass', 'erin', 'approved review of acme/hotdash#1'],
    ]);
    expect(gate(ticket, { '@acme/reviewers': ['erin'] })).toMatchObject({ kind: 'deploy', evidence: { cq: { author: 'erin', source: expect.stringMatching(/^review:acme\/hotdash#1:\d+$/) } } });
    expect(gate(ticket, { '@acme/reviewers': [] })).toMatchObject({ kind: 'ask', reason: 'reviewer_unauthorised' });
  });

  it('notices a new review without the issue changing, at no counted cost while nothing changes', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    const app = fixture.model.repo('acme', 'hotdash');
    const pull = fixture.model.pullRequest(app, { title: 'Cache tiles', by: 'bob', mentions: { repo: fixture.repo, issue } });
    const { board } = await fixture.board({ extra: EVIDENCE });
    expect((await board.listReady())[0]?.reviews).toBeUndefined();
    const mark = fixture.fake.mark();
    await board.listReady();
    expect(fixture.fake.counted(mark)).toBe(0);
    fixture.model.review(pull, 'erin', 'APPROVED');
    expect((await board.listReady())[0]?.reviews?.map((r) => r.author)).toEqual(['erin']);
  });
});

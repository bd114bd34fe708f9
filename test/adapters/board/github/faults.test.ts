import { afterEach, describe, expect, it } from 'vitest';
import { ExternalError, OpsbeatError, RateLimitedError } from '../../../../src/errors.js';
import { LABELS, startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { FAULTS } from '../../../fakes/github/server.js';
import { TicketBuilder } from '../../../helpers/ticket-builder.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

const LIST = '/repos/acme/ops-board/issues';

async function boardWithOneTicket() {
  fixture = await startGithubFixture();
  const issue = fixture.seed(new TicketBuilder().comment('alice', 'CQ: pass').build());
  const { board, logs } = await fixture.board();
  return { f: fixture, issue, board, logs, id: `#${issue.number}` };
}

describe('GithubBoard under GitHub faults', () => {
  it('retries 502s (plugin-retry) and then reads normally', async () => {
    const { f, board } = await boardWithOneTicket();
    f.fake.fault({ name: '502 twice', method: 'GET', path: LIST, times: 2, respond: FAULTS.badGateway });
    expect((await board.listReady()).map((t) => t.id)).toEqual(['#1']);
    expect(f.fake.requestsTo('GET', LIST).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('gives up after the retries with github_unavailable, retryable, saying what it tried', async () => {
    const { f, board } = await boardWithOneTicket();
    f.fake.fault({ name: '502 for good', method: 'GET', path: LIST, times: 4, respond: FAULTS.badGateway });
    const failure = await board.listReady().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ExternalError);
    expect(failure).toMatchObject({
      code: 'github_unavailable',
      message: 'GitHub is not answering properly',
      status: 502,
      retryable: true,
      details: 'GitHub answered HTTP 502 when opsbeat tried to list the rfp issues, also after retrying; opsbeat tries again on the next heartbeat.',
    });
    expect(f.fake.requestsTo('GET', LIST)).toHaveLength(4);
  });

  it('waits out a primary rate limit that resets soon, logging a constant warning', async () => {
    const { f, board, logs } = await boardWithOneTicket();
    f.fake.fault({ name: 'primary', method: 'GET', path: LIST, respond: () => FAULTS.primaryRateLimit(1) });
    expect(await board.listReady()).toHaveLength(1);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'github primary rate limit reached', limit: 'primary', method: 'GET', route: '/repos/{owner}/{repo}/issues', retryCount: 0, retrying: true }),
    );
  });

  it('does not wait an hour for a primary rate limit: rate_limited with the time of the reset', async () => {
    const { f, board, logs } = await boardWithOneTicket();
    f.fake.fault({ name: 'primary, long', method: 'GET', path: LIST, respond: () => FAULTS.primaryRateLimit(3600) });
    const failure = await board.listReady().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RateLimitedError);
    expect(failure).toMatchObject({ code: 'rate_limited', message: 'the GitHub rate limit is used up', status: 403, retryable: true });
    expect((failure as RateLimitedError).retryAfterMs).toBeGreaterThan(3_500_000);
    expect((failure as RateLimitedError).details).toMatch(/^The token has no GitHub requests left until \d{4}-.*Nothing is lost/);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'github primary rate limit reached', retrying: false }));
  });

  it('honours a secondary rate limit (429 retry-after) and then reads normally', async () => {
    const { f, board, logs } = await boardWithOneTicket();
    f.fake.fault({ name: 'secondary', method: 'GET', path: LIST, respond: () => FAULTS.secondaryRateLimit(1) });
    expect(await board.listReady()).toHaveLength(1);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'github secondary rate limit reached', retryAfterS: 1, retrying: true }));
  });

  it('reports a secondary rate limit that does not end as rate_limited', async () => {
    const { f, board } = await boardWithOneTicket();
    f.fake.fault({ name: 'secondary, twice', method: 'GET', path: LIST, times: 2, respond: () => FAULTS.secondaryRateLimit(1) });
    await expect(board.listReady()).rejects.toMatchObject({
      code: 'rate_limited',
      message: 'GitHub asked opsbeat to slow down (secondary rate limit)',
      retryAfterMs: 1000,
      status: 429,
    });
  });

  it('says ticket_not_found for a ticket that does not exist, was deleted or is a pull request', async () => {
    const { f, board, id } = await boardWithOneTicket();
    const pull = f.model.createIssue(f.repo, { title: 'A pull request', pull: true });
    await expect(board.readTicket('#999')).rejects.toMatchObject({ code: 'ticket_not_found', message: 'the ticket does not exist on the board' });
    await expect(board.readTicket(`#${pull.number}`)).rejects.toMatchObject({ code: 'ticket_not_found' });
    await expect(board.ensureComment('#999', 'hold', 'x')).rejects.toMatchObject({ code: 'ticket_not_found' });
    f.fake.fault({ name: 'deleted', method: 'GET', path: `/repos/acme/ops-board/issues/1`, respond: () => ({ status: 410, body: { message: 'This issue was deleted' } }) });
    await expect(board.readTicket(id)).rejects.toMatchObject({ code: 'ticket_not_found' });
  });

  it('leaves out a ticket that vanishes between the listing and its read', async () => {
    const { f, board, logs } = await boardWithOneTicket();
    f.fake.fault({ name: 'comments 404', method: 'GET', path: '/repos/acme/ops-board/issues/1/comments', respond: FAULTS.notFound });
    expect(await board.listReady()).toEqual([]);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'ticket vanished while it was read', ticket: '#1' }));
  });

  it('names the missing permission of a token that may not write issues, and does not retry', async () => {
    const { f, board, issue, id } = await boardWithOneTicket();
    f.fake.fault({ name: 'no issues=write', method: 'POST', path: /\/labels$/, respond: () => FAULTS.missingPermission('issues=write') });
    const failure = await board.moveTicket(id, 'rfp', 'closed').catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'github_forbidden',
      message: 'the GitHub token lacks a permission this call needs',
      status: 403,
      fields: { ticket: id, acceptedPermissions: 'issues=write' },
    });
    expect((failure as OpsbeatError).details).toContain('GitHub says this needs `issues=write` (x-accepted-github-permissions).');
    expect(f.fake.requestsTo('POST', /\/labels$/)).toHaveLength(1);
    expect(issue.labels).toEqual([LABELS.rfp]);
  });

  it('a comment GitHub stored before answering 502: reported created once, never posted twice', async () => {
    const { f, board, issue, id } = await boardWithOneTicket();
    f.fake.fault({ name: 'stored, then 502', method: 'POST', path: '/repos/acme/ops-board/issues/1/comments', respond: FAULTS.badGateway, afterEffect: true });
    expect(await board.ensureComment(id, 'hold', 'Held: notes missing.')).toBe('created');
    expect(await board.ensureComment(id, 'hold', 'Held: notes missing.')).toBe('unchanged');
    expect(issue.comments.filter((c) => c.user === 'opsbeat')).toHaveLength(1);
    expect(f.fake.requestsTo('POST', '/repos/acme/ops-board/issues/1/comments')).toHaveLength(1);
  });

  it('a comment GitHub did not store (502): an error now, one comment on the next call', async () => {
    const { f, board, issue, id } = await boardWithOneTicket();
    f.fake.fault({ name: '502 before storing', method: 'POST', path: '/repos/acme/ops-board/issues/1/comments', respond: FAULTS.badGateway });
    await expect(board.ensureComment(id, 'hold', 'Held.')).rejects.toMatchObject({ code: 'github_unavailable', retryable: true });
    expect(issue.comments.filter((c) => c.user === 'opsbeat')).toHaveLength(0);
    expect(await board.ensureComment(id, 'hold', 'Held.')).toBe('created');
    expect(issue.comments.filter((c) => c.user === 'opsbeat')).toHaveLength(1);
  });

  it('says github_unauthorised for a token GitHub does not accept', async () => {
    fixture = await startGithubFixture();
    fixture.model.tokens.clear();
    await expect(fixture.board()).rejects.toMatchObject({
      code: 'github_unauthorised',
      message: 'GitHub refused the token',
      details: expect.stringContaining('GITHUB_TOKEN is wrong, expired or revoked'),
    });
  });
});

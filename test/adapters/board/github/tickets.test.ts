import { afterEach, describe, expect, it } from 'vitest';
import { LABELS, startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { TicketBuilder } from '../../../helpers/ticket-builder.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

describe('GithubBoard: reading tickets', () => {
  it('reads an issue as a ticket: id #n, URL, description and comments with Windows line endings made plain', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.model.createIssue(fixture.repo, { title: 'Cache tiles', body: 'Intro\r\n\r\n```deploy\r\napp: hotdash-staging\r\nref: 3f9c2e1\r\n```' });
    fixture.model.addLabel(issue, LABELS.rfp, 'dave', '2026-11-24T10:00:00Z');
    fixture.model.addComment(issue, 'alice', 'CQ: pass\r\nlooks good', '2026-11-24T11:00:00Z');
    const { board } = await fixture.board();
    expect(await board.readTicket('1')).toEqual({
      id: '#1',
      title: 'Cache tiles',
      url: 'https://github.com/acme/ops-board/issues/1',
      status: 'rfp',
      body: 'Intro\n\n```deploy\napp: hotdash-staging\nref: 3f9c2e1\n```',
      labels: [],
      comments: [{ id: expect.any(String), author: 'alice', createdAt: new Date('2026-11-24T11:00:00Z'), body: 'CQ: pass\nlooks good' }],
      readyBy: 'dave',
      readyAt: new Date('2026-11-24T10:00:00Z'),
      updatedAt: new Date(issue.updatedAt),
    });
    await expect(board.readTicket('OPS-1')).rejects.toMatchObject({ code: 'ticket_id_invalid' });
  });

  it('takes who added a label from its latest labeled event (removed and added again: the second adder)', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    fixture.model.addLabel(issue, 'emergency', 'mallory', '2026-11-24T09:00:00Z');
    fixture.model.removeLabel(issue, 'emergency', 'dave');
    fixture.model.addLabel(issue, 'emergency', 'dave', '2026-11-24T10:00:00Z');
    const { board } = await fixture.board();
    expect((await board.readTicket('#1')).labels).toEqual([{ name: 'emergency', addedBy: 'dave', addedAt: new Date('2026-11-24T10:00:00Z') }]);
  });

  it('reuses a full read of a ticket whose updated_at has not moved, and reads it again when it has', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    const later = () => new Date(Date.parse(issue.updatedAt) + 60_000);
    let now = later();
    const { board } = await fixture.board({ now: () => now });
    await board.listReady();
    let mark = fixture.fake.mark();
    await board.listReady();
    expect(fixture.fake.requests.slice(mark).map((r) => `${r.status} ${r.path}`)).toEqual(['304 /repos/acme/ops-board/issues']);

    fixture.model.addComment(issue, 'carol', 'QA: pass');
    now = later();
    mark = fixture.fake.mark();
    const [ticket] = await board.listReady();
    expect(ticket?.comments.map((c) => c.body)).toEqual(['QA: pass']);
    expect(fixture.fake.requests.slice(mark).map((r) => r.path)).toEqual([
      '/repos/acme/ops-board/issues',
      '/repos/acme/ops-board/issues/1/comments',
      '/repos/acme/ops-board/issues/1/timeline',
    ]);
  });

  it('does not trust a read made in the same second as the last change', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    const { board } = await fixture.board({ now: () => new Date(issue.updatedAt) });
    await board.listReady();
    // A second comment within the same second: updated_at does not move, the comment count does.
    issue.comments.push({ id: 1, user: 'carol', body: 'QA: failed — checkout red', createdAt: issue.updatedAt, updatedAt: issue.updatedAt });
    expect((await board.listReady())[0]?.comments.map((c) => c.body)).toEqual(['QA: failed — checkout red']);
  });
});

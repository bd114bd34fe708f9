import { afterEach, describe, expect, it } from 'vitest';
import { LABELS, startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { TicketBuilder } from '../../../helpers/ticket-builder.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

describe('GithubBoard: status by labels', () => {
  it('finds the rfp queue with one conditional request: open issues with the rfp label, pull requests left out', async () => {
    fixture = await startGithubFixture();
    const a = fixture.seed(new TicketBuilder().title('A').build());
    fixture.seed(new TicketBuilder().title('Closed').status('closed').build());
    fixture.seed(new TicketBuilder().title('Other').status('other').build());
    const pull = fixture.model.createIssue(fixture.repo, { title: 'A pull request', pull: true });
    fixture.model.addLabel(pull, LABELS.rfp, 'alice');
    const { board } = await fixture.board();
    const mark = fixture.fake.mark();
    expect((await board.listReady()).map((t) => t.title)).toEqual(['A']);
    const [list] = fixture.fake.requests.slice(mark);
    expect(list).toMatchObject({ method: 'GET', path: '/repos/acme/ops-board/issues' });
    expect(Object.fromEntries(list!.query)).toEqual({ labels: LABELS.rfp, state: 'open', per_page: '100' });
    expect(a.number).toBe(1);
  });

  it('moves rfp → closed: adds the closed label, removes rfp, closes the issue as completed', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().label('checkout', 'bob').build());
    const { board } = await fixture.board();
    const mark = fixture.fake.mark();
    await board.moveTicket('#1', 'rfp', 'closed');
    expect(fixture.fake.requests.slice(mark).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/ops-board/issues/1',
      'POST /repos/acme/ops-board/issues/1/labels',
      `DELETE /repos/acme/ops-board/issues/1/labels/${encodeURIComponent(LABELS.rfp)}`,
      'PATCH /repos/acme/ops-board/issues/1',
    ]);
    expect(fixture.fake.requests.at(-1)?.body).toEqual({ state: 'closed', state_reason: 'completed' });
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed', labels: ['checkout', LABELS.closed] });
  });

  it('moves rfp → deploy-failed and keeps the issue open', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    const { board } = await fixture.board();
    await board.moveTicket('#1', 'rfp', 'deploy-failed');
    expect(issue).toMatchObject({ state: 'open', labels: [LABELS.failed] });
    expect((await board.readTicket('#1')).status).toBe('deploy-failed');
    expect(await board.listReady()).toEqual([]);
  });

  it('completes a move that was cut short (two status labels) and never lists such a ticket as ready', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    fixture.model.addLabel(issue, LABELS.closed, 'opsbeat');
    const { board } = await fixture.board();
    expect(await board.listReady()).toEqual([]);
    expect((await board.readTicket('#1')).status).toBe('closed');
    const mark = fixture.fake.mark();
    await board.moveTicket('#1', 'rfp', 'closed');
    expect(fixture.fake.requests.slice(mark).map((r) => r.method)).toEqual(['GET', 'DELETE', 'PATCH']);
    expect(issue).toMatchObject({ state: 'closed', labels: [LABELS.closed] });
  });

  it('writes nothing when the ticket is already where it should go', async () => {
    fixture = await startGithubFixture();
    fixture.seed(new TicketBuilder().status('closed').build());
    const { board } = await fixture.board();
    const mark = fixture.fake.mark();
    await board.moveTicket('#1', 'rfp', 'closed');
    expect(fixture.fake.requests.slice(mark).map((r) => r.method)).toEqual(['GET']);
  });

  it('treats a label someone removed meanwhile (DELETE 404) as gone', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    const { board } = await fixture.board();
    fixture.fake.fault({ name: 'label already gone', method: 'DELETE', path: /\/labels\//, respond: () => ({ status: 404, body: { message: 'Label does not exist' } }) });
    await board.moveTicket('#1', 'rfp', 'closed');
    expect(issue.state).toBe('closed');
  });

  it('refuses with ticket_moved when someone moved the ticket elsewhere', async () => {
    fixture = await startGithubFixture();
    const issue = fixture.seed(new TicketBuilder().build());
    const { board } = await fixture.board();
    fixture.model.removeLabel(issue, LABELS.rfp, 'bob');
    await expect(board.moveTicket('#1', 'rfp', 'closed')).rejects.toMatchObject({
      code: 'ticket_moved',
      fields: { ticket: '#1', expected: 'rfp', actual: 'other' },
    });
  });
});

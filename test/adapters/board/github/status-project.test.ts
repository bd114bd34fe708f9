import { afterEach, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../../../fakes/github/model.js';
import { OPTIONS, startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { TicketBuilder } from '../../../helpers/ticket-builder.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

const PROJECT_STATUS = { mode: 'project' as const, project: 3, field: 'Status', rfp: OPTIONS.rfp, closed: OPTIONS.closed, failed: OPTIONS.failed };

describe('GithubBoard: status by a Projects v2 field', () => {
  it.each([
    [
      'an owner that does not exist',
      { ...PROJECT_STATUS, owner: 'nobody' },
      'board.github.status.owner: GitHub has no user or organisation "nobody"; write the project\'s owner (it defaults to board.github.owner)',
    ],
    [
      'a project number that does not exist',
      { ...PROJECT_STATUS, project: 9 },
      "board.github.status.project: acme has no project number 9 that the token can see; check the number in the project's URL (…/projects/9), board.github.status.owner, and that the token may read projects (classic token: read:project; fine-grained token or GitHub App: Projects read)",
    ],
    [
      'a field that does not exist',
      { ...PROJECT_STATUS, field: 'Stage' },
      'board.github.status.field: project "Ops board" has no field "Stage"; write the name of its single-select status field',
    ],
    [
      'a field that is not single-select',
      { ...PROJECT_STATUS, field: 'Title' },
      'board.github.status.field: "Title" in project "Ops board" is not a single-select field; write the name of the single-select status field',
    ],
  ])('stops at start-up on %s, naming the key and the fix', async (_, status, problem) => {
    fixture = await startGithubFixture({ mode: 'project' });
    await expect(fixture.board({ extra: { status } })).rejects.toMatchObject({ code: 'config_invalid', problems: [problem] });
  });

  it('lists every missing option at start-up', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    const failure = fixture.board({ extra: { status: { ...PROJECT_STATUS, rfp: 'RFP', failed: 'Failed' } } });
    await expect(failure).rejects.toMatchObject({
      problems: [
        'board.github.status.rfp: the field "Status" of project "Ops board" has no option "RFP" (its options are "Todo", "Ready for prod", "Done", "Deploy failed"); write one of them or add the option to the project',
        'board.github.status.failed: the field "Status" of project "Ops board" has no option "Failed" (its options are "Todo", "Ready for prod", "Done", "Deploy failed"); write one of them or add the option to the project',
      ],
    });
  });

  it('reads the queue through GraphQL, then costs nothing while the board is unchanged', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    fixture.seed(new TicketBuilder().title('Ready').ready('dave', '2026-11-20T08:00:00Z').build());
    fixture.seed(new TicketBuilder().title('Later').status('other').build());
    let offset = 0;
    const { board } = await fixture.board({ now: () => new Date(Date.now() + offset) });
    const [ticket] = await board.listReady();
    expect(ticket).toMatchObject({ id: '#1', title: 'Ready', status: 'rfp', readyBy: 'dave' });
    expect(fixture.fake.requests.filter((r) => r.operation === 'ReadyItems')).toHaveLength(1);

    // Read again within the second of the last change: the ticket is read again, conditionally (free).
    let mark = fixture.fake.mark();
    expect((await board.listReady()).map((t) => t.id)).toEqual(['#1']);
    expect(fixture.fake.counted(mark)).toBe(0);
    expect(fixture.fake.requests.slice(mark).every((r) => r.status === 304)).toBe(true);

    // Once that second has long passed (the builder's times are 2026-11-25 09:00), an unchanged
    // board costs the two probes only, both 304.
    offset = Date.parse('2026-11-25T10:00:00Z') - Date.now();
    await board.listReady();
    mark = fixture.fake.mark();
    expect((await board.listReady()).map((t) => t.id)).toEqual(['#1']);
    expect(fixture.fake.requests.slice(mark).map((r) => `${r.status} ${r.path}`)).toEqual(['304 /repos/acme/ops-board/issues', '304 /orgs/acme/projectsV2/3/items']);
  });

  it('notices a status set in the project, and a comment on a ready ticket', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    const later = fixture.seed(new TicketBuilder().title('Later').status('other').build());
    const { board } = await fixture.board();
    expect(await board.listReady()).toEqual([]);
    fixture.model.setStatus(fixture.project!, fixture.repo, later, OPTIONS.rfp, 'erin');
    const [ticket] = await board.listReady();
    expect(ticket).toMatchObject({ id: '#1', readyBy: 'erin' });
    fixture.model.addComment(later, 'carol', 'QA: pass');
    expect((await board.listReady())[0]?.comments.map((c) => c.body)).toEqual(['QA: pass']);
  });

  it('reads the project every time when the REST project endpoint is not there', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    fixture.seed(new TicketBuilder().title('Ready').build());
    fixture.fake.fault({ name: 'no REST projects', method: 'GET', path: '/orgs/acme/projectsV2/3/items', respond: () => ({ status: 404, body: { message: 'Not Found' } }) });
    const { board, logs } = await fixture.board();
    await board.listReady();
    await board.listReady();
    expect(fixture.fake.requests.filter((r) => r.operation === 'ReadyItems')).toHaveLength(2);
    expect(fixture.fake.requestsTo('GET', '/orgs/acme/projectsV2/3/items')).toHaveLength(1);
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'the REST project items endpoint is not available; the project is read through GraphQL every heartbeat' }));
  });

  it('works with a project owned by a user', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    fixture.project!.ownerType = 'User';
    fixture.seed(new TicketBuilder().title('Ready').build());
    const { board } = await fixture.board();
    expect(await board.listReady()).toHaveLength(1);
    expect(fixture.fake.requestsTo('GET', '/users/acme/projectsV2/3/items')).toHaveLength(1);
  });

  it('moves with updateProjectV2ItemFieldValue and the option id; deploy-failed keeps the issue open', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    const issue = fixture.seed(new TicketBuilder().build());
    const { board } = await fixture.board();
    await board.moveTicket('#1', 'rfp', 'deploy-failed');
    const set = fixture.fake.requests.find((r) => r.operation === 'SetStatus');
    const option = fixture.project!.fields[1]!.options.find((o) => o.name === OPTIONS.failed)!;
    expect((set?.body as { variables: Record<string, unknown> }).variables).toMatchObject({ projectId: fixture.project!.id, optionId: option.id });
    expect(fixture.statusOf(issue)).toBe(OPTIONS.failed);
    expect(issue.state).toBe('open');
    const mark = fixture.fake.mark();
    await board.moveTicket('#1', 'rfp', 'deploy-failed');
    expect(fixture.fake.requests.slice(mark).map((r) => r.operation ?? r.method)).toEqual(['GET', 'IssueStatus']);
  });

  it('says ticket_moved for an issue that is not in the project', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    fixture.model.createIssue(fixture.repo, { title: 'Outside the project' });
    const { board } = await fixture.board();
    expect((await board.readTicket('#1')).status).toBe('other');
    await expect(board.moveTicket('#1', 'rfp', 'closed')).rejects.toMatchObject({ code: 'ticket_moved', fields: { actual: 'other' } });
  });

  it('names the project permission when the token may not write projects', async () => {
    fixture = await startGithubFixture({ mode: 'project', permissions: ALL_PERMISSIONS.filter((p) => p !== 'projects=write') });
    const issue = fixture.seed(new TicketBuilder().build());
    const { board } = await fixture.board();
    await expect(board.moveTicket('#1', 'rfp', 'closed')).rejects.toMatchObject({
      code: 'github_forbidden',
      details: expect.stringContaining('A classic token needs the project scope'),
    });
    expect(fixture.statusOf(issue)).toBe(OPTIONS.rfp);
    expect(issue.state).toBe('open');
  });
});

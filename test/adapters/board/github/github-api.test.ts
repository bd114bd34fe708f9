import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGithubOctokit } from '../../../../src/adapters/board/github/client.js';
import { GithubApi } from '../../../../src/adapters/board/github/github-api.js';
import { Issue } from '../../../../src/adapters/board/github/schema.js';
import { BadResponseError, TimeoutError } from '../../../../src/errors.js';
import { FAST, startGithubFixture, TOKEN, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { captureLogs } from '../../../helpers/capture-logs.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

function apiOn(f: GithubFixture, timeoutMs = 5000): { api: GithubApi; logs: ReturnType<typeof captureLogs> } {
  const logs = captureLogs();
  const octokit = createGithubOctokit({ baseUrl: f.fake.url, token: TOKEN, timeoutMs, logger: logs.logger, tuning: FAST });
  return { api: new GithubApi(octokit, { timeoutMs, now: () => new Date() }), logs };
}

const LIST = 'GET /repos/{owner}/{repo}/issues';
const PARAMS = { owner: 'acme', repo: 'ops-board', state: 'all' };

describe('GithubApi: conditional, paginated reads', () => {
  it('follows Link pages, and reads an unchanged list again for free (every page a 304)', async () => {
    fixture = await startGithubFixture();
    for (let i = 1; i <= 250; i++) fixture.model.createIssue(fixture.repo, { title: `Issue ${i}` });
    const { api } = apiOn(fixture);

    const first = await api.readAll(LIST, PARAMS, Issue, { what: 'list issues' });
    expect(first.items).toHaveLength(250);
    expect(first.changed).toBe(true);
    expect(fixture.fake.requests.map((r) => [r.query.get('page'), r.status])).toEqual([[null, 200], ['2', 200], ['3', 200]]);

    const mark = fixture.fake.mark();
    const again = await api.readAll(LIST, PARAMS, Issue, { what: 'list issues' });
    expect(again).toMatchObject({ changed: false });
    expect(again.items.map((i) => i.number)).toEqual(first.items.map((i) => i.number));
    expect(fixture.fake.requests.slice(mark).map((r) => r.status)).toEqual([304, 304, 304]);
    expect(fixture.fake.counted(mark)).toBe(0);
  });

  it('re-reads only the page that changed', async () => {
    fixture = await startGithubFixture();
    for (let i = 1; i <= 150; i++) fixture.model.createIssue(fixture.repo, { title: `Issue ${i}`, at: '2026-01-01T00:00:00Z' });
    const { api } = apiOn(fixture);
    await api.readAll(LIST, { ...PARAMS, sort: 'created', direction: 'asc' }, Issue, { what: 'list issues' });
    fixture.model.issue(fixture.repo, 140).title = 'Renamed';
    const mark = fixture.fake.mark();
    const { items, changed } = await api.readAll(LIST, { ...PARAMS, sort: 'created', direction: 'asc' }, Issue, { what: 'list issues' });
    expect(changed).toBe(true);
    expect(items.find((i) => i.number === 140)?.title).toBe('Renamed');
    expect(fixture.fake.requests.slice(mark).map((r) => r.status)).toEqual([304, 200]);
  });

  it('says BadResponseError when an answer does not have the expected shape', async () => {
    fixture = await startGithubFixture();
    fixture.fake.route('GET', '/repos/acme/other/issues/1', () => ({ status: 200, body: { number: 'one' } }));
    const { api } = apiOn(fixture);
    const read = api.read('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner: 'acme', repo: 'other', issue_number: 1 }, Issue, { what: 'read an issue' });
    await expect(read).rejects.toBeInstanceOf(BadResponseError);
    await expect(read).rejects.toMatchObject({ code: 'bad_response', service: 'github', issues: expect.arrayContaining(['number: Invalid input: expected number, received string']) });
  });

  it('times out a request that does not answer, with the limit in the error', async () => {
    fixture = await startGithubFixture();
    fixture.fake.fault({ name: 'slow', path: '/repos/acme/ops-board/issues', delayMs: 400, times: 4, respond: () => ({ status: 200, body: [] }) });
    const { api, logs } = apiOn(fixture, 100);
    const read = api.readAll(LIST, PARAMS, Issue, { what: 'list issues' });
    await expect(read).rejects.toBeInstanceOf(TimeoutError);
    await expect(read).rejects.toMatchObject({ code: 'timeout', message: 'a GitHub request timed out', timeoutMs: 100 });
    expect(logs.lines.filter((l) => l.msg === 'github request failed')).toHaveLength(4);
  });

  it('logs each exchange at debug with method, path, status and duration, never the token', async () => {
    fixture = await startGithubFixture();
    const { api, logs } = apiOn(fixture);
    logs.redactor.add(TOKEN);
    await api.read('GET /user', {}, z.object({ login: z.string() }), { what: 'who am I' });
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'debug', msg: 'github request', method: 'GET', path: '/user', status: 200, durationMs: expect.any(Number) }));
    expect(logs.raw.join('\n')).not.toContain(TOKEN);
  });
});

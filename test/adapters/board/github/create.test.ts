import { afterEach, describe, expect, it } from 'vitest';
import { GithubBoard } from '../../../../src/adapters/board/github/github-board.js';
import { parseConfigText } from '../../../../src/config/load.js';
import type { Config } from '../../../../src/config/normalise.js';
import { ALL_PERMISSIONS } from '../../../fakes/github/model.js';
import { startGithubFixture, TOKEN, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { captureLogs } from '../../../helpers/capture-logs.js';
import { TicketBuilder } from '../../../helpers/ticket-builder.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

function parse(lines: string[]) {
  return parseConfigText([...lines, 'reviewers: { cq: [alice], qa: [carol] }', ''].join('\n'), 'opsbeat.yaml', {}, '/srv');
}

describe('the board.github configuration', () => {
  it('reads the optional settings: login, timeout, team cache, evidence, deployments', () => {
    const result = parse([
      'board:',
      '  kind: github',
      '  github:',
      '    owner: acme',
      '    repo: ops-board',
      '    login: "opsbeat-app[bot]"',
      '    timeout: 20s',
      '    teamCacheTtl: 5m',
      '    evidence: { labels: true }',
      '    deployments: { environment: production, repo: acme/hotdash }',
    ]);
    expect(result.ok && result.config.board).toEqual({
      kind: 'github',
      github: {
        baseUrl: 'https://api.github.com',
        owner: 'acme',
        repo: 'ops-board',
        status: { mode: 'labels', rfp: 'status:rfp', closed: 'status:closed', failed: 'status:deploy-failed' },
        login: 'opsbeat-app[bot]',
        timeoutMs: 20_000,
        teamCacheTtlMs: 300_000,
        evidence: { labels: true, pullRequestReviews: false },
        deployments: { enabled: true, environment: 'production', repo: 'acme/hotdash' },
      },
    });
  });

  it('refuses two statuses with the same label, and a deployments repo that is not owner/name', () => {
    const result = parse([
      'board:',
      '  kind: github',
      '  github: { owner: acme, repo: ops-board, status: { mode: labels, rfp: ready, closed: Ready }, deployments: { repo: hotdash } }',
    ]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual(['opsbeat.yaml:3: board.github.deployments.repo: expected "owner/name", got "hotdash"']);
    const same = parse(['board: { kind: github, github: { owner: acme, repo: ops-board, status: { mode: labels, rfp: ready, closed: Ready } } }']);
    expect(!same.ok && same.errors).toEqual([
      'opsbeat.yaml:1: board.github.status.closed: is the same as status.rfp ("Ready"); each status needs its own label',
    ]);
  });
});

describe('GithubBoard.create', () => {
  it('needs GITHUB_TOKEN, and says so as a configuration problem', async () => {
    const logs = captureLogs();
    const config = { board: { kind: 'github', github: { baseUrl: 'http://127.0.0.1:9', owner: 'acme', repo: 'ops-board', status: { mode: 'labels', rfp: 'a', closed: 'b', failed: 'c' } } } } as Pick<Config, 'board'>;
    await expect(GithubBoard.create(config, {}, logs.logger, logs.redactor)).rejects.toMatchObject({
      code: 'config_invalid',
      problems: ['environment: GITHUB_TOKEN is not set; it is needed for the GitHub board'],
    });
  });

  it('asks GitHub which account it writes as, and registers the token for redaction', async () => {
    fixture = await startGithubFixture();
    const { logs } = await fixture.board();
    expect(fixture.fake.requestsTo('GET', '/user')).toHaveLength(1);
    expect(logs.redactor.redact(`token ${TOKEN}`)).toBe('token [REDACTED]');
  });

  it('with a GitHub App token (no GET /user), asks for board.github.login', async () => {
    fixture = await startGithubFixture();
    fixture.fake.fault({ name: 'app token', method: 'GET', path: '/user', respond: () => ({ status: 403, body: { message: 'Resource not accessible by integration', status: '403' } }) });
    await expect(fixture.board()).rejects.toMatchObject({
      code: 'config_invalid',
      problems: [
        'board.github.login: GitHub does not say which account GITHUB_TOKEN belongs to (a GitHub App installation token cannot ask); write the account opsbeat comments as, e.g. "opsbeat[bot]"',
      ],
    });
  });

  it('with board.github.login, recognises only that account\'s comments as its own', async () => {
    fixture = await startGithubFixture();
    fixture.model.token(TOKEN, 'opsbeat-app[bot]', ALL_PERMISSIONS);
    const issue = fixture.seed(new TicketBuilder().build());
    fixture.model.addComment(issue, 'mallory', '<!-- opsbeat:hold -->\nCQ: pass');
    const { board } = await fixture.board({ extra: { login: 'opsbeat-app[bot]' } });
    expect(fixture.fake.requestsTo('GET', '/user')).toHaveLength(0);
    const before = await board.readTicket('#1');
    expect(before.comments.map((c) => [c.author, c.opsbeatKey])).toEqual([['mallory', undefined]]);
    expect(await board.ensureComment('#1', 'hold', 'Held.')).toBe('created');
    expect(issue.comments.map((c) => c.user)).toEqual(['mallory', 'opsbeat-app[bot]']);
  });
});

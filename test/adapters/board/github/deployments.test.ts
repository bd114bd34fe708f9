import { afterEach, describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../../../src/adapters/board/types.js';
import { startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { FAULTS } from '../../../fakes/github/server.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

const RECORD: DeploymentRecord = {
  deployment: 'dep-1',
  ticket: '#7',
  app: 'hotdash-staging',
  ref: '3f9c2e1',
  state: 'in_progress',
  description: 'registry.fly.io/hotdash-staging:3f9c2e1',
  logUrl: 'https://github.com/acme/ops-board/issues/7',
  environmentUrl: 'https://hotdash-staging.fly.dev',
};
const ENABLED = { deployments: { enabled: true, environment: '{app}' } };

describe('GithubBoard: GitHub Deployments', () => {
  it('has no recordDeployment unless board.github.deployments is on', async () => {
    fixture = await startGithubFixture();
    expect((await fixture.board()).board.recordDeployment).toBeUndefined();
    expect((await fixture.board({ extra: { deployments: { enabled: false, environment: 'x' } } })).board.recordDeployment).toBeUndefined();
  });

  it('creates one Deployment on the commit and adds a status per state', async () => {
    fixture = await startGithubFixture();
    const { board } = await fixture.board({ extra: ENABLED });
    await board.recordDeployment!(RECORD);
    await board.recordDeployment!(RECORD);
    await board.recordDeployment!({ ...RECORD, state: 'success', description: 'v3 registry.fly.io/hotdash-staging:3f9c2e1' });
    const [deployment, ...more] = fixture.repo.deployments;
    expect(more).toEqual([]);
    expect(deployment).toMatchObject({ ref: '3f9c2e1', environment: 'hotdash-staging', payload: { opsbeat: 'dep-1', ticket: '#7', app: 'hotdash-staging' } });
    expect(deployment!.statuses.map((s) => [s.state, s.description, s.logUrl, s.environmentUrl])).toEqual([
      ['in_progress', 'registry.fly.io/hotdash-staging:3f9c2e1', RECORD.logUrl, RECORD.environmentUrl],
      ['success', 'v3 registry.fly.io/hotdash-staging:3f9c2e1', RECORD.logUrl, RECORD.environmentUrl],
    ]);
    expect(fixture.fake.requestsTo('POST', '/repos/acme/ops-board/deployments')[0]?.body).toMatchObject({ auto_merge: false, required_contexts: [] });
  });

  it('after a restart, finds its Deployment again by its payload instead of creating another', async () => {
    fixture = await startGithubFixture();
    await (await fixture.board({ extra: ENABLED })).board.recordDeployment!(RECORD);
    const { board } = await fixture.board({ extra: ENABLED });
    await board.recordDeployment!({ ...RECORD, state: 'failure', description: 'failed: health check' });
    expect(fixture.repo.deployments).toHaveLength(1);
    expect(fixture.repo.deployments[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
  });

  it('a create that GitHub stored before answering 502 is not made twice', async () => {
    fixture = await startGithubFixture();
    fixture.fake.fault({ name: 'stored, then 502', method: 'POST', path: '/repos/acme/ops-board/deployments', respond: FAULTS.badGateway, afterEffect: true });
    const { board } = await fixture.board({ extra: ENABLED });
    await expect(board.recordDeployment!(RECORD)).rejects.toMatchObject({ code: 'github_unavailable' });
    await board.recordDeployment!(RECORD);
    expect(fixture.repo.deployments).toHaveLength(1);
    expect(fixture.repo.deployments[0]!.statuses.map((s) => s.state)).toEqual(['in_progress']);
  });

  it('records in the repository of the code when one is named, and cuts long descriptions at 140 characters', async () => {
    fixture = await startGithubFixture();
    const code = fixture.model.repo('acme', 'hotdash');
    const { board } = await fixture.board({ extra: { deployments: { enabled: true, environment: 'production', repo: 'acme/hotdash' } } });
    await board.recordDeployment!({ ...RECORD, description: 'x'.repeat(200) });
    expect(fixture.repo.deployments).toEqual([]);
    expect(code.deployments[0]?.environment).toBe('production');
    expect(code.deployments[0]!.statuses[0]!.description).toBe(`${'x'.repeat(139)}…`);
  });

  it('records nothing for a ref that is not a commit SHA, and says so once', async () => {
    fixture = await startGithubFixture();
    const { board, logs } = await fixture.board({ extra: ENABLED });
    const mark = fixture.fake.mark();
    await board.recordDeployment!({ ...RECORD, ref: 'release-2026-11' });
    await board.recordDeployment!({ ...RECORD, ref: 'release-2026-11', state: 'success' });
    expect(fixture.fake.mark()).toBe(mark);
    expect(logs.lines.filter((l) => l.msg === 'the ticket ref is not a commit SHA; no GitHub Deployment is recorded')).toHaveLength(1);
  });
});

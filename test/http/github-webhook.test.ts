import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { GithubBoardConfig } from '../../src/config/normalise.js';
import { GITHUB_WEBHOOK_PATH, githubWebhook } from '../../src/http/github-webhook.js';
import { startHttpServer } from '../../src/http/server.js';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs.js';

const SECRET = 'webhook-secret-for-tests';
const LABELS: GithubBoardConfig = { baseUrl: 'https://api.github.com', owner: 'acme', repo: 'ops-board', status: { mode: 'labels', rfp: 'status:rfp', closed: 'status:closed', failed: 'status:deploy-failed' } };
const PROJECT: GithubBoardConfig = { ...LABELS, status: { mode: 'project', project: 3, field: 'Status', rfp: 'Ready for prod', closed: 'Done', failed: 'Deploy failed' } };

let server: { url: string; close: () => Promise<void> } | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(board: GithubBoardConfig, secret = SECRET): Promise<{ url: string; wakes: number[]; logs: CapturedLogs }> {
  const logs = captureLogs();
  const wakes: number[] = [];
  const route = githubWebhook({ secret, board, log: logs.logger, wake: () => wakes.push(Date.now()) });
  server = await startHttpServer({ host: '127.0.0.1', port: 0, log: logs.logger, routes: { [GITHUB_WEBHOOK_PATH]: route } });
  return { url: `${server.url}${GITHUB_WEBHOOK_PATH}`, wakes, logs };
}

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function deliver(url: string, event: string, payload: unknown, signature: string | null = 'auto') {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' };
  if (signature !== null) headers['x-hub-signature-256'] = signature === 'auto' ? sign(body) : signature;
  const response = await request(url, { method: 'POST', body, headers });
  return { status: response.statusCode, body: await response.body.text() };
}

const labeled = (name: string, extra: Record<string, unknown> = {}) => ({
  action: 'labeled',
  label: { id: 1, name, color: 'ededed' },
  issue: { number: 12, state: 'open', title: 'Cache tiles', labels: [{ name }] },
  repository: { full_name: 'acme/ops-board', name: 'ops-board', owner: { login: 'acme' } },
  sender: { login: 'dave' },
  ...extra,
});

describe('the GitHub wake-up webhook', () => {
  it('verifies the signature GitHub documents (test vector) over the raw body', async () => {
    const logs = captureLogs();
    const route = githubWebhook({ secret: "It's a Secret to Everybody", board: LABELS, log: logs.logger, wake: () => undefined });
    const at = (signature: string) =>
      route({ method: 'POST', url: new URL('http://x/github/webhook'), headers: { 'x-hub-signature-256': signature, 'x-github-event': 'ping' }, body: Buffer.from('Hello, World!'), remote: 'network' });
    expect(await at('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17')).toMatchObject({ status: 400, body: { error: 'body_not_json' } });
    expect(await at('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18')).toMatchObject({ status: 401, body: { error: 'bad_signature' } });
  });

  it('starts a heartbeat when the rfp label is added to an issue of the board: 202', async () => {
    const { url, wakes, logs } = await serve(LABELS);
    expect(await deliver(url, 'issues', labeled('Status:RFP'))).toMatchObject({ status: 202 });
    expect(wakes).toHaveLength(1);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'github webhook: a ticket entered rfp; starting a heartbeat', event: 'issues' }));
  });

  it('refuses an unsigned delivery with 401 and a warning, and starts nothing', async () => {
    const { url, wakes, logs } = await serve(LABELS);
    expect(await deliver(url, 'issues', labeled('status:rfp'), null)).toEqual({ status: 401, body: expect.stringContaining('"unsigned"') });
    expect(wakes).toEqual([]);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'github webhook refused', reason: 'unsigned', event: 'issues', delivery: '72d3162e-cc78-11e3-81ab-4c9367dc0958' }));
  });

  it('refuses a delivery signed with another secret, or re-serialised after signing', async () => {
    const { url, wakes, logs } = await serve(LABELS);
    const payload = labeled('status:rfp');
    expect((await deliver(url, 'issues', payload, sign(JSON.stringify(payload), 'another secret'))).status).toBe(401);
    expect((await deliver(url, 'issues', JSON.stringify(payload, null, 2), sign(JSON.stringify(payload)))).status).toBe(401);
    expect((await deliver(url, 'issues', payload, 'sha1=0123')).status).toBe(401);
    expect(wakes).toEqual([]);
    expect(logs.lines.filter((l) => l.msg === 'github webhook refused').map((l) => [l.level, l.reason])).toEqual([
      ['warn', 'bad_signature'],
      ['warn', 'bad_signature'],
      ['warn', 'bad_signature'],
    ]);
  });

  it.each([
    ['another label', 'issues', labeled('checkout')],
    ['an unlabel', 'issues', { ...labeled('status:rfp'), action: 'unlabeled' }],
    ['another repository', 'issues', labeled('status:rfp', { repository: { full_name: 'acme/elsewhere' } })],
    ['a pull request', 'issues', labeled('status:rfp', { issue: { number: 3, pull_request: { url: 'x' } } })],
    ['a ping', 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 }],
    ['a comment', 'issue_comment', { action: 'created', comment: { body: 'QA: pass' } }],
  ])('answers 204 and starts nothing for %s', async (_, event, payload) => {
    const { url, wakes } = await serve(LABELS);
    expect(await deliver(url, event, payload)).toEqual({ status: 204, body: '' });
    expect(wakes).toEqual([]);
  });

  it('in project mode, starts a heartbeat when the status field is set to the rfp option', async () => {
    const { url, wakes } = await serve(PROJECT);
    const edited = (to: string, field = 'Status', project = 3) => ({
      action: 'edited',
      projects_v2_item: { id: 1, node_id: 'PVTI_x', project_node_id: 'PVT_x', content_node_id: 'I_x', content_type: 'Issue' },
      changes: { field_value: { field_node_id: 'PVTSSF_x', field_type: 'single_select', field_name: field, project_number: project, from: { id: 'a', name: 'Todo' }, to: { id: 'b', name: to } } },
      organization: { login: 'acme' },
    });
    expect((await deliver(url, 'projects_v2_item', edited('Ready for prod'))).status).toBe(202);
    expect((await deliver(url, 'projects_v2_item', edited('Done'))).status).toBe(204);
    expect((await deliver(url, 'projects_v2_item', edited('Ready for prod', 'Priority'))).status).toBe(204);
    expect((await deliver(url, 'projects_v2_item', edited('Ready for prod', 'Status', 4))).status).toBe(204);
    expect((await deliver(url, 'issues', labeled('status:rfp'))).status).toBe(204);
    expect(wakes).toHaveLength(1);
  });

  it('answers 405 to anything but POST', async () => {
    const { url } = await serve(LABELS);
    expect((await request(url, { method: 'GET' })).statusCode).toBe(405);
  });
});

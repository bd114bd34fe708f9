import { createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { start } from '../../src/commands/start.js';
import { LABELS, startGithubFixture, TOKEN, type GithubFixture } from '../fakes/github/github-fixture.js';
import { createWorld, type World } from '../helpers/world.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

const SECRET = 'wake-up-secret-for-tests';

let fixture: GithubFixture | undefined;
let world: World | undefined;
let stop: AbortController | undefined;
let daemon: Promise<number> | undefined;
afterEach(async () => {
  stop?.abort();
  await daemon;
  await world?.close();
  fixture?.fake.assertClean();
  await fixture?.close();
  [fixture, world, stop, daemon] = [undefined, undefined, undefined, undefined];
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('opsbeat start with a GitHub board: the wake-up webhook', () => {
  it('a signed delivery for a ticket entering rfp starts a heartbeat that deploys it; an unsigned one is refused', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    const issue = fixture.seed(
      new TicketBuilder('X')
        .title('Cache tiles')
        .status('other')
        .comment('alice', 'CQ: pass', new Date(Date.now() - 60_000))
        .comment('carol', 'QA: pass', new Date(Date.now() - 30_000))
        .build(),
    );
    // The world gives the simulated Fly and apps; the daemon gets a configuration of its own.
    world = await createWorld({ configYaml: [fixture.yaml()], env: { GITHUB_TOKEN: TOKEN } });
    const port = await freePort();
    const config = parseYaml(await readFile(world.configFile, 'utf8')) as Record<string, Record<string, unknown>>;
    config.store = { dataDir: path.join(world.dir, 'daemon-data') };
    config.http = { port, host: '127.0.0.1' };
    config.schedule = '0 0 1 1 *' as never;
    const file = path.join(world.dir, 'daemon.yaml');
    await writeFile(file, stringifyYaml(config));
    let out = '';
    const sink = { write: (text: string) => (out += text) };
    stop = new AbortController();
    const env = { ...world.env, GITHUB_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'error' };
    daemon = start(file, { stdout: sink, stderr: sink, cwd: world.dir, env }, stop.signal);
    const list = '/repos/acme/ops-board/issues';
    await until('the start-up heartbeat', () => fixture!.fake.requestsTo('GET', list).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));

    fixture.model.addLabel(issue, LABELS.rfp, 'dave');
    const payload = JSON.stringify({
      action: 'labeled',
      label: { name: LABELS.rfp },
      issue: { number: issue.number, state: 'open' },
      repository: { full_name: 'acme/ops-board' },
    });
    const url = `http://127.0.0.1:${port}/github/webhook`;
    const headers = { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': 'd-1' };
    const refused = await request(url, { method: 'POST', body: payload, headers });
    expect(refused.statusCode).toBe(401);
    await refused.body.text();
    const signature = `sha256=${createHmac('sha256', SECRET).update(payload).digest('hex')}`;
    const accepted = await request(url, { method: 'POST', body: payload, headers: { ...headers, 'x-hub-signature-256': signature } });
    expect(accepted.statusCode).toBe(202);
    await accepted.body.text();

    await until('the ticket to be closed', () => issue.state === 'closed');
    expect(issue.labels).toEqual([LABELS.closed]);
    stop.abort();
    expect(await daemon).toBe(0);
    expect(out).toContain('#1');
  }, 180_000);
});

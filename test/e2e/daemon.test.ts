import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createProcessSandbox,
  freePort,
  readyTicket,
  waitUntil,
  type ProcessSandbox,
  type RunningProcess,
} from '../helpers/sandbox-process.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

// `opsbeat start` as Fly runs it: a long-lived process, JSON logs on stdout, /healthz for Fly's
// checks, and SIGTERM when Fly stops the machine.

let box: ProcessSandbox | undefined;
afterEach(async () => {
  await box?.close();
  box = undefined;
});

async function startDaemon(options: Parameters<typeof createProcessSandbox>[0] = {}): Promise<{ daemon: RunningProcess; url: string }> {
  const port = await freePort();
  box = await createProcessSandbox({ ...options, configYaml: [`http: { port: ${port}, host: 127.0.0.1 }`] });
  return { daemon: box.spawn(['start'], { timeoutMs: 540_000 }), url: `http://127.0.0.1:${port}` };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

describe('opsbeat start (the daemon)', { timeout: 600_000 }, () => {
  it('answers /healthz with 200 after its start-up heartbeat, logs JSON lines with hb, and stops cleanly on SIGTERM', async () => {
    const { daemon, url } = await startDaemon({
      tickets: [readyTicket(new TicketBuilder('OPS-1')), new TicketBuilder('OPS-2').title('Date picker').comment('alice', 'CQ: pass')],
    });
    await daemon.waitForOutput(/"msg":"heartbeat finished"/, 180_000);

    const health = await get(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, role: 'leader', lastHeartbeatAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await get(`${url}/nope`)).status).toBe(404);

    const lines = jsonLines(daemon.stdout());
    expect(lines.find((l) => l.msg === 'opsbeat started')).toMatchObject({ level: 'info', schedule: '*/15 * * * *', timezone: 'UTC', url });
    const beat = lines.filter((l) => l.msg === 'heartbeat started');
    expect(beat).toEqual([expect.objectContaining({ trigger: 'startup', hb: expect.stringMatching(/^hb-/) })]);
    const hb = beat[0]!.hb;
    const heartbeatLines = lines.filter((l) => l.step !== undefined || l.deployment !== undefined);
    expect(heartbeatLines.length).toBeGreaterThan(10);
    for (const line of heartbeatLines) expect(line.hb).toBe(hb);
    expect(lines.find((l) => l.msg === 'heartbeat finished')).toMatchObject({ hb, outcome: 'ok' });

    const signalled = Date.now();
    daemon.kill('SIGTERM');
    const exit = await daemon.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(15_000);
    // The console chat prints to stderr: stdout stays a clean JSON log stream.
    expect(exit.stderr).toMatch(/^#standup . Deploy summary: 1 deployed, 1 not deployed$/m);
    const last = jsonLines(exit.stdout).at(-1);
    expect(last).toMatchObject({ level: 'info', msg: 'opsbeat stopped' });
    expect((await box!.status()).deployments.map((d) => [d.ticket, d.state])).toEqual([['OPS-1', 'succeeded']]);
  });

  it('on SIGTERM during a deploy, lets the deploy finish and verifies it before exiting', async () => {
    const { daemon } = await startDaemon({ tickets: [readyTicket(new TicketBuilder('OPS-1'))], deployDelayMs: 4000 });
    await waitUntil(async () => (await box!.flyCalls()).some((c) => c.argv[0] === 'deploy'), { timeoutMs: 180_000, intervalMs: 50, what: 'the fly deploy call' });
    daemon.kill('SIGTERM');
    const exit = await daemon.exited;
    expect(exit.code).toBe(0);

    const lines = jsonLines(exit.stdout);
    const messages = lines.map((l) => l.msg);
    expect(messages.indexOf('shutting down: no new work; waiting for the current heartbeat')).toBeGreaterThan(-1);
    expect(messages.at(-1)).toBe('opsbeat stopped');
    const states = lines.filter((l) => l.msg === 'deployment state changed').map((l) => l.to);
    expect(states).toEqual(['prechecked', 'deploying', 'verifying', 'succeeded']);

    const status = await box!.status();
    expect(status.deployments).toEqual([expect.objectContaining({ ticket: 'OPS-1', state: 'succeeded', releaseVersion: 3, failure: null })]);
    expect(await box!.deployedImages()).toEqual(['registry.fly.io/hotdash-staging:3f9c2e1']);

    // The later steps were skipped for the shutdown; the next heartbeat closes the ticket, once.
    expect(await box!.ticketFile('OPS-1')).toMatch(/^status: rfp$/m);
    const next = await box!.run(['once']);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/^ {2}close-tickets {4}done {5}1 closed$/m);
    const ticket = await box!.ticketFile('OPS-1');
    expect(ticket).toMatch(/^status: closed$/m);
    expect(ticket.match(/<!-- opsbeat:deploy:dep-/g)).toHaveLength(1);
    expect(await box!.deployedImages()).toEqual(['registry.fly.io/hotdash-staging:3f9c2e1']);
  });
});

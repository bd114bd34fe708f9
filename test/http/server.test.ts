import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startHttpServer, type HttpRequest, type HttpRoute } from '../../src/http/server.js';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs.js';

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

async function serve(routes: Record<string, HttpRoute>, host = '127.0.0.1'): Promise<{ url: string; logs: CapturedLogs }> {
  const logs = captureLogs();
  const server = await startHttpServer({ host, port: 0, log: logs.logger, routes });
  closeServer = server.close;
  return { url: server.url, logs };
}

describe('startHttpServer', () => {
  it('listens on a free port and logs it', async () => {
    const { url, logs } = await serve({});
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(logs.lines).toEqual([expect.objectContaining({ level: 'info', msg: 'http server listening', port: Number(new URL(url).port) })]);
  });

  it('answers a route with JSON, or with text and a given content type', async () => {
    const { url } = await serve({
      '/healthz': async () => ({ status: 503, body: { ok: false, problem: 'no heartbeat' } }),
      '/metrics': async () => ({ status: 200, body: 'opsbeat_up 1\n', contentType: 'text/plain; version=0.0.4' }),
      '/hello': async () => ({ status: 200, body: 'hello' }),
    });
    const health = await request(`${url}/healthz`);
    expect(health.statusCode).toBe(503);
    expect(health.headers['content-type']).toBe('application/json');
    expect(await health.body.json()).toEqual({ ok: false, problem: 'no heartbeat' });

    const metrics = await request(`${url}/metrics`);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4');
    expect(await metrics.body.text()).toBe('opsbeat_up 1\n');

    const hello = await request(`${url}/hello`);
    expect(hello.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(await hello.body.text()).toBe('hello');
  });

  it('passes the method, the parsed URL, headers, the body and where the request came from', async () => {
    let seen: HttpRequest | undefined;
    const { url } = await serve({
      '/hook': async (r) => {
        seen = r;
        return { status: 202, body: { accepted: true } };
      },
    });
    const response = await request(`${url}/hook?ticket=OPS-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-opsbeat-test': 'yes' },
      body: JSON.stringify({ ticket: 'OPS-1' }),
    });
    expect(response.statusCode).toBe(202);
    await response.body.dump();
    expect(seen).toMatchObject({ method: 'POST', remote: 'loopback', headers: { 'x-opsbeat-test': 'yes' } });
    expect(seen!.url.pathname).toBe('/hook');
    expect(seen!.url.searchParams.get('ticket')).toBe('OPS-1');
    expect(JSON.parse(seen!.body.toString('utf8'))).toEqual({ ticket: 'OPS-1' });
  });

  it('answers an unknown path with a JSON 404', async () => {
    const { url, logs } = await serve({ '/healthz': async () => ({ status: 200, body: { ok: true } }) });
    for (const path of ['/nope', '/healthz/extra', '/']) {
      const response = await request(`${url}${path}`);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('application/json');
      expect(await response.body.json()).toEqual({ error: 'not found' });
    }
    expect(logs.lines.filter((l) => l.level !== 'info')).toEqual([]);
  });

  it('turns a route that throws into a 500 without details, and logs an error line', async () => {
    const { url, logs } = await serve({
      '/status.json': async () => {
        throw new Error('the ledger is closed');
      },
    });
    const response = await request(`${url}/status.json`);
    expect(response.statusCode).toBe(500);
    const text = await response.body.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal error' });
    expect(text).not.toContain('ledger');
    expect(logs.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ msg: 'http route failed', path: '/status.json', err: expect.objectContaining({ message: 'the ledger is closed' }) }),
    ]);
  });

  it('refuses a body over 1 MB with 413 without calling the route, and keeps serving', async () => {
    let called = 0;
    const { url } = await serve({
      '/hook': async (r) => {
        called += 1;
        return { status: 200, body: { bytes: r.body.length } };
      },
    });
    const big = await request(`${url}/hook`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 'a') });
    expect(big.statusCode).toBe(413);
    expect(await big.body.json()).toEqual({ error: 'request body over 1 MB' });
    expect(called).toBe(0);

    const justUnder = await request(`${url}/hook`, { method: 'POST', body: Buffer.alloc(1024 * 1024, 'a') });
    expect(await justUnder.body.json()).toEqual({ bytes: 1024 * 1024 });
  });

  it('serves on 0.0.0.0 with a loopback URL, and sees local requests as loopback', async () => {
    let remote: string | undefined;
    const { url } = await serve({ '/who': async (r) => ((remote = r.remote), { status: 200, body: { remote: r.remote } }) }, '0.0.0.0');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await request(`${url}/who`);
    expect(await response.body.json()).toEqual({ remote: 'loopback' });
    expect(remote).toBe('loopback');
  });

  it('fails to start on a port in use', async () => {
    const { url } = await serve({});
    const logs = captureLogs();
    await expect(startHttpServer({ host: '127.0.0.1', port: Number(new URL(url).port), log: logs.logger, routes: {} })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpProbes } from '../../../src/adapters/probes/http-probes.js';
import { captureLogs } from '../../helpers/capture-logs.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** Durations vary; the words around them must not. */
function shape(summary: string, maxMs: number): string {
  return summary.replace(/\b\d+ ms\b/g, (m) => (m === `${maxMs} ms` ? m : 'N ms'));
}

describe('HttpProbes', () => {
  const logs = captureLogs();
  const probes = new HttpProbes({ logger: logs.logger });

  it('passes a 200 within the limit and logs the call at debug', async () => {
    const url = await serve((_req, res) => res.end('ok'));
    const result = await probes.check(`${url}/health`, { status: 200, maxMs: 2000 });
    expect(result).toMatchObject({ url: `${url}/health`, ok: true, status: 200 });
    expect(result.failure).toBeUndefined();
    expect(shape(result.summary, 2000)).toBe('HTTP 200 in N ms');
    expect(logs.lines.at(-1)).toMatchObject({ level: 'debug', adapter: 'http-probes', method: 'GET', status: 200, msg: 'probe finished' });
  });

  it('reports an unexpected status', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503);
      res.end('down');
    });
    const result = await probes.check(`${url}/health`, { status: 200, maxMs: 2000 });
    expect(result).toMatchObject({ ok: false, status: 503, failure: 'unexpected_status' });
    expect(shape(result.summary, 2000)).toBe('HTTP 503 in N ms (expected 200)');
  });

  it('does not follow redirects', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    const result = await probes.check(`${url}/health`, { status: 200, maxMs: 2000 });
    expect(result).toMatchObject({ ok: false, status: 302, failure: 'unexpected_status' });
  });

  it('reports an answer that came too slowly', async () => {
    const url = await serve((_req, res) => setTimeout(() => res.end('late'), 200));
    const result = await probes.check(`${url}/health`, { status: 200, maxMs: 100 });
    expect(result).toMatchObject({ ok: false, status: 200, failure: 'too_slow' });
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(shape(result.summary, 100)).toBe('answered in N ms (limit 100 ms)');
  });

  it('gives up on a server that never answers', async () => {
    const url = await serve(() => {});
    const started = Date.now();
    const result = await probes.check(`${url}/health`, { status: 200, maxMs: 100 });
    expect(result).toMatchObject({ ok: false, failure: 'timeout', summary: 'no answer within 100 ms' });
    expect(result.status).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives up on a body that never ends', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const result = await probes.check(`${url}/health`, { status: 200, maxMs: 100 });
    expect(result).toMatchObject({ ok: false, failure: 'timeout', summary: 'no answer within 100 ms' });
  });

  it('reports a refused connection', async () => {
    const url = await serve(() => {});
    const server = servers.pop()!;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await probes.check(`${url}/health`, { status: 200, maxMs: 1000 });
    expect(result).toMatchObject({ ok: false, failure: 'connection_failed', summary: 'connection failed (ECONNREFUSED)' });
  });

  it('rethrows when the caller aborts', async () => {
    const url = await serve(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(probes.check(`${url}/health`, { status: 200, maxMs: 2000 }, controller.signal)).rejects.toThrow('shutting down');
  });

  it('never reports credentials from the URL', async () => {
    const url = await serve((_req, res) => res.end('ok'));
    const result = await probes.check(url.replace('http://', 'http://user:pa55word@') + '/health', { status: 200, maxMs: 2000 });
    expect(result.url).toBe(`${url}/health`);
    expect(logs.raw.join('\n')).not.toContain('pa55word');
  });
});

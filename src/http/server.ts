import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';

export interface HttpResponse {
  status: number;
  body: unknown;
  contentType?: string;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Where the request came from: this machine, or anywhere else (Fly's proxy included). */
  remote: 'loopback' | 'network';
}

export type HttpRoute = (request: HttpRequest) => Promise<HttpResponse>;

const MAX_BODY = 1024 * 1024;

/** opsbeat's own HTTP server: /healthz for Fly's checks, status for on-call, and whatever routes the daemon adds. */
export async function startHttpServer(options: {
  host: string;
  port: number;
  log: Logger;
  routes: Record<string, HttpRoute>;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size <= MAX_BODY) {
        chunks.push(chunk);
        return;
      }
      // Answer once, then drop the connection after the answer is out, so the client reads a 413 and not a reset.
      tooLarge = true;
      chunks.length = 0;
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: 'request body over 1 MB' }), () => req.destroy());
    });
    req.on('end', () => {
      if (tooLarge) return;
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = options.routes[url.pathname];
      const respond = (r: HttpResponse): void => {
        const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2);
        res.writeHead(r.status, { 'content-type': r.contentType ?? (typeof r.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json') });
        res.end(text);
      };
      if (!route) return respond({ status: 404, body: { error: 'not found' } });
      const address = req.socket.remoteAddress ?? '';
      const remote = address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' ? 'loopback' : 'network';
      route({ method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks), remote })
        .then(respond)
        .catch((err: unknown) => {
          options.log.error({ err, path: url.pathname }, 'http route failed');
          respond({ status: 500, body: { error: 'internal error' } });
        });
    });
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  options.log.info({ port }, 'http server listening');
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GithubModel, Permission } from './model.js';

/**
 * A strict fake of GitHub's REST and GraphQL APIs on a loopback port, for tests that drive the
 * real Octokit client. Routes are registered per test (`route`, `graphql`, or the sets in
 * rest-routes.ts and graphql-routes.ts); a request no route answers is recorded as unexpected and
 * `assertClean()` fails the test, as does a fault that was never used. Like GitHub it:
 * - checks the token (401) and the token's permissions (403 with `x-accepted-github-permissions`);
 * - sends `x-ratelimit-*` headers and counts the requests that cost rate limit (all but 304s and
 *   `GET /rate_limit`);
 * - gives every GET an ETag and answers `If-None-Match` with 304;
 * - pages lists (`per_page`, `page`, `Link` with rel next/last);
 * - plays faults: 5xx, primary (403, remaining 0, reset) and secondary (429, retry-after) rate
 *   limits, 404s, slow answers; optionally after the request took effect.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
  /** Counts against the rate limit. */
  counted: boolean;
  /** GraphQL operation name. */
  operation?: string;
  fault?: string;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The body is a whole list: page it. */
  paginate?: boolean;
}

export interface RouteContext {
  model: GithubModel;
  /** The fake's base URL, for the URLs in bodies. */
  api: string;
  login: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Refuse with 403 unless the token has this permission. */
  need(permission: Permission): void;
}

export type RouteHandler = (ctx: RouteContext) => FakeResponse;

export interface GraphqlAnswer {
  data: unknown;
  errors?: { type: string; message: string; path?: string[] }[];
}
export type GraphqlHandler = (variables: Record<string, unknown>, ctx: RouteContext) => GraphqlAnswer;

export interface FaultSpec {
  name: string;
  method?: string;
  /** Matched against the path: equal, or the RegExp. */
  path: string | RegExp;
  /** GraphQL operation name, for POST /graphql. */
  operation?: string;
  times?: number;
  respond: () => FakeResponse;
  /** Let the request take effect first (GitHub stored it), then answer with the fault. */
  afterEffect?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

const RATE_LIMIT = 5000;

/** Thrown by `need()`: the token lacks a permission. */
export class Denied extends Error {
  constructor(readonly permission: Permission) {
    super(`needs ${permission}`);
  }
}

export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: string[] = [];
  private readonly routes: Route[] = [];
  private readonly operations = new Map<string, GraphqlHandler>();
  private readonly faults: (FaultSpec & { left: number })[] = [];
  private used = 0;

  private constructor(
    readonly model: GithubModel,
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(model: GithubModel): Promise<FakeGithub> {
    let fake: FakeGithub | undefined;
    const server = http.createServer((req, res) => {
      void fake!.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeGithub(model, server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** `path` like `/repos/:owner/:repo/issues/:issue_number`. A route registered later wins over an earlier one. */
  route(method: string, path: string, handler: RouteHandler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:([a-z_]+)/g, (_, key: string) => {
        keys.push(key);
        return '([^/]+)';
      })}$`,
    );
    this.routes.unshift({ method, pattern, keys, handler });
    return this;
  }

  graphql(operation: string, handler: GraphqlHandler): this {
    this.operations.set(operation, handler);
    return this;
  }

  use(install: (fake: FakeGithub) => void): this {
    install(this);
    return this;
  }

  fault(spec: FaultSpec): this {
    this.faults.push({ ...spec, left: spec.times ?? 1 });
    return this;
  }

  /** A position in the request log, for counting what came after. */
  mark(): number {
    return this.requests.length;
  }

  /** Requests since `mark` that count against the rate limit. */
  counted(since = 0): number {
    return this.requests.slice(since).filter((r) => r.counted).length;
  }

  requestsTo(method: string, path: string | RegExp, since = 0): RecordedRequest[] {
    return this.requests.slice(since).filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  /** Fails when a request went to no route, or a fault was never played. */
  assertClean(): void {
    const unused = this.faults.filter((f) => f.left > 0 && f.times !== Infinity).map((f) => f.name);
    const problems = [
      ...this.unexpected.map((u) => `unexpected request: ${u}`),
      ...unused.map((name) => `fault never used: ${name}`),
    ];
    if (problems.length > 0) throw new Error(`fake GitHub:\n${problems.join('\n')}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return this.send(res, { method, path: url.pathname, query: url.searchParams, headers: req.headers, body: text }, { status: 400, body: { message: 'Problems parsing JSON' } });
    }
    const record = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body } as const;
    const operation = url.pathname === '/graphql' ? /^\s*(?:query|mutation)\s+(\w+)/.exec(String(body.query ?? ''))?.[1] : undefined;

    const token = /^(?:token|bearer)\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    const owner = token ? this.model.tokens.get(token) : undefined;
    if (!owner) return this.send(res, record, { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } }, { operation });

    const fault = this.faults.find((f) => f.left > 0 && (!f.method || f.method === method) && (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)) && (!f.operation || f.operation === operation));
    if (fault) fault.left -= 1;
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault && !fault.afterEffect) return this.send(res, record, fault.respond(), { operation, fault: fault.name });

    const ctx = (params: Record<string, string>): RouteContext => ({
      model: this.model,
      api: this.url,
      login: owner.login,
      params,
      query: url.searchParams,
      body,
      need: (permission) => {
        if (!owner.permissions.has(permission)) throw new Denied(permission);
      },
    });
    let response: FakeResponse | undefined;
    try {
      if (url.pathname === '/graphql' && method === 'POST') {
        const handler = operation ? this.operations.get(operation) : undefined;
        if (handler) response = { status: 200, body: handler((body.variables ?? {}) as Record<string, unknown>, ctx({})) };
      } else {
        for (const route of this.routes) {
          const match = route.method === method ? route.pattern.exec(url.pathname) : null;
          if (!match) continue;
          const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1]!)]));
          response = route.handler(ctx(params));
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof Denied)) throw err;
      response = {
        status: 403,
        headers: { 'x-accepted-github-permissions': err.permission },
        body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest', status: '403' },
      };
    }
    if (!response) {
      this.unexpected.push(`${method} ${url.pathname}${url.search}${operation ? ` (${operation})` : ''}`);
      return this.send(res, record, { status: 404, body: { message: 'fake GitHub: no route for this request' } }, { operation });
    }
    if (fault) return this.send(res, record, fault.respond(), { operation, fault: fault.name });
    this.send(res, record, response, { operation });
  }

  private send(
    res: http.ServerResponse,
    record: Omit<RecordedRequest, 'status' | 'counted'>,
    response: FakeResponse,
    extra: { operation?: string | undefined; fault?: string } = {},
  ): void {
    let { status } = response;
    let body = response.body;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (response.paginate && Array.isArray(body)) {
      const page = this.page(record, body);
      body = page.items;
      if (page.link) headers.link = page.link;
    }
    const text = body === undefined ? '' : JSON.stringify(body);
    if (record.method === 'GET' && status === 200) {
      headers.etag = `W/"${createHash('sha1').update(text).digest('hex')}"`;
      if (record.headers['if-none-match'] === headers.etag) status = 304;
    }
    const counted = status !== 304 && record.path !== '/rate_limit';
    if (counted) this.used += 1;
    Object.assign(headers, {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - this.used)),
      'x-ratelimit-used': String(this.used),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': record.path === '/graphql' ? 'graphql' : 'core',
      'x-github-request-id': `FAKE:${this.requests.length + 1}`,
      ...response.headers,
    });
    this.requests.push({ ...record, status, counted, ...(extra.operation ? { operation: extra.operation } : {}), ...(extra.fault ? { fault: extra.fault } : {}) });
    if (status === 304 || status === 204) {
      delete headers['content-type'];
      res.writeHead(status, headers).end();
      return;
    }
    res.writeHead(status, headers).end(text);
  }

  private page(record: Omit<RecordedRequest, 'status' | 'counted'>, items: unknown[]): { items: unknown[]; link?: string } {
    const perPage = Math.min(100, Math.max(1, Number(record.query.get('per_page') ?? 30)));
    const page = Math.max(1, Number(record.query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number): string => {
      const query = new URLSearchParams(record.query);
      query.set('page', String(n));
      return `<${this.url}${record.path}?${query.toString()}>`;
    };
    const links = [
      ...(page < last ? [`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`] : []),
      ...(page > 1 ? [`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`] : []),
    ];
    return { items: items.slice((page - 1) * perPage, page * perPage), ...(links.length > 0 ? { link: links.join(', ') } : {}) };
  }
}

/** The fault answers GitHub gives, with their real headers and messages. */
export const FAULTS = {
  badGateway: (): FakeResponse => ({ status: 502, body: { message: 'Server Error' } }),
  /** Primary rate limit: 403 with `x-ratelimit-remaining: 0` and the reset `inSeconds` from now. */
  primaryRateLimit: (inSeconds = 1): FakeResponse => ({
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + inSeconds) },
    body: {
      message: 'API rate limit exceeded for user ID 500. If you reach out to GitHub Support for help, please include the request ID FAKE.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    },
  }),
  /** Secondary rate limit: 429 with `retry-after`. */
  secondaryRateLimit: (retryAfter = 1): FakeResponse => ({
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.',
      documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '429',
    },
  }),
  notFound: (): FakeResponse => ({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } }),
  missingPermission: (permission: Permission = 'issues=write'): FakeResponse => ({
    status: 403,
    headers: { 'x-accepted-github-permissions': permission },
    body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest', status: '403' },
  }),
};

import { z } from 'zod';
import { BadResponseError, ExternalError, type OpsbeatError } from '../../../errors.js';
import type { GithubOctokit } from './client.js';
import { isNotModified, statusOf, translateGithubError, type CallContext } from './github-errors.js';

export type Params = Record<string, unknown>;

/** What a call is for (for errors) and what a 404 means there. */
export interface Call {
  what: string;
  fields?: Record<string, unknown>;
  notFound?: () => OpsbeatError;
}

interface CachedPage {
  etag: string;
  data: unknown;
  next: string | undefined;
}

type Target = { route: string; params: Params } | { url: string };

/** Lists longer than this many pages of 100 are refused rather than read forever. */
const MAX_PAGES = 50;
/** Cached pages kept (least recently used dropped first): a few per ticket opsbeat has read. */
const CACHE_SIZE = 5000;

/**
 * Every call to GitHub goes through here: zod-checked answers, errors translated at the boundary,
 * and conditional GETs. Each page read keeps its ETag in memory (per process); the next read of
 * the same page sends `If-None-Match`, and a 304 — which costs no rate limit — is answered from
 * the cache. Lists follow `Link: rel="next"` page by page, each page conditional.
 */
export class GithubApi {
  private readonly pages = new Map<string, CachedPage>();

  constructor(
    private readonly octokit: GithubOctokit,
    private readonly options: { timeoutMs: number; now: () => Date },
  ) {}

  /** One conditional GET. `changed` is false when GitHub answered 304. */
  async read<S extends z.ZodType>(route: string, params: Params, schema: S, call: Call): Promise<{ data: z.output<S>; changed: boolean }> {
    const page = await this.conditional({ route, params }, schema, call);
    return { data: page.data as z.output<S>, changed: page.changed };
  }

  /** Every page of a list, each page conditional. `changed` is false when every page was a 304. */
  async readAll<S extends z.ZodType>(route: string, params: Params, item: S, call: Call): Promise<{ items: z.output<S>[]; changed: boolean }> {
    const schema = z.array(item);
    const items: z.output<S>[] = [];
    let changed = false;
    let target: Target = { route, params: { per_page: 100, ...params } };
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await this.conditional(target, schema, call);
      items.push(...(page.data as z.output<S>[]));
      changed ||= page.changed;
      if (!page.next) return { items, changed };
      target = { url: page.next };
    }
    throw new ExternalError('github_list_too_long', 'a GitHub list is longer than opsbeat reads', {
      service: 'github',
      fields: { ...call.fields, what: call.what },
      details: `More than ${MAX_PAGES * 100} entries came back when opsbeat tried to ${call.what}; it stopped rather than read on.`,
    });
  }

  /**
   * A write (or a read that must not be conditional). `retries: 0` for writes that are not
   * idempotent (creating a comment or a deployment): the caller finds its earlier write instead.
   * With `missingOk`, a 404 resolves to undefined (e.g. removing a label that is already gone).
   */
  async send<S extends z.ZodType>(
    route: string,
    params: Params,
    schema: S,
    call: Call,
    options: { retries?: number; missingOk?: boolean } = {},
  ): Promise<z.output<S> | undefined> {
    try {
      const response = await this.octokit.request(route, { ...params, ...(options.retries === undefined ? {} : { request: { retries: options.retries } }) });
      return this.parse(schema, response.data, call);
    } catch (err) {
      if (options.missingOk && statusOf(err) === 404) return undefined;
      throw this.translate(err, call);
    }
  }

  /**
   * A GraphQL document through the same Octokit instance (POST /graphql; never conditional).
   * With `nullWhenNotFound`, an answer whose only errors are NOT_FOUND is read as its data, in
   * which GitHub has set what it could not find to null.
   */
  async graphql<S extends z.ZodType>(
    document: string,
    variables: Params,
    schema: S,
    call: Call,
    options: { nullWhenNotFound?: boolean } = {},
  ): Promise<z.output<S>> {
    try {
      const data: unknown = await this.octokit.graphql(document, variables);
      return this.parse(schema, data, call);
    } catch (err) {
      const partial = err as { name?: string; errors?: { type?: string }[]; data?: unknown };
      if (options.nullWhenNotFound && partial.name === 'GraphqlResponseError' && partial.data && partial.errors?.every((e) => e.type === 'NOT_FOUND')) {
        return this.parse(schema, partial.data, call);
      }
      throw this.translate(err, call);
    }
  }

  private async conditional(target: Target, schema: z.ZodType, call: Call): Promise<CachedPage & { changed: boolean }> {
    const key = 'url' in target ? `GET ${target.url}` : `${target.route} ${stableJson(target.params)}`;
    const cached = this.pages.get(key);
    const headers = cached ? { 'if-none-match': cached.etag } : {};
    try {
      const response =
        'url' in target
          ? await this.octokit.request({ method: 'GET', url: target.url, headers })
          : await this.octokit.request(target.route, { ...target.params, headers });
      const page: CachedPage = {
        etag: String(response.headers.etag ?? ''),
        data: this.parse(schema, response.data, call),
        next: nextLink(response.headers.link),
      };
      this.pages.delete(key);
      if (page.etag) this.remember(key, page);
      return { ...page, changed: true };
    } catch (err) {
      if (cached && isNotModified(err)) {
        this.remember(key, cached);
        return { ...cached, changed: false };
      }
      throw this.translate(err, call);
    }
  }

  private remember(key: string, page: CachedPage): void {
    this.pages.delete(key);
    this.pages.set(key, page);
    if (this.pages.size > CACHE_SIZE) this.pages.delete(this.pages.keys().next().value as string);
  }

  private parse<S extends z.ZodType>(schema: S, data: unknown, call: Call): z.output<S> {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    throw new BadResponseError(
      'GitHub answered with something opsbeat does not understand',
      parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`),
      { service: 'github', fields: { ...call.fields, what: call.what } },
    );
  }

  private translate(err: unknown, call: Call): OpsbeatError {
    const context: CallContext = { what: call.what, timeoutMs: this.options.timeoutMs };
    if (call.fields) context.fields = call.fields;
    if (call.notFound) context.notFound = call.notFound;
    return translateGithubError(err, context, this.options.now);
  }
}

/** The `rel="next"` URL of a Link header. */
function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (match?.[2]?.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

function stableJson(params: Params): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

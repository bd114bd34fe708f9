import { LogLevel, WebClient, WebClientEvent, type WebAPICallResult } from '@slack/web-api';
import type { z } from 'zod';
import { BadResponseError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import { translateSlackError } from './slack-errors.js';

/**
 * The Slack Web API client: `@slack/web-api`'s WebClient, configured rather than re-implemented.
 * It queues calls, waits out HTTP 429 for the `Retry-After` it is given (the RATE_LIMITED event
 * is logged here) and retries network and HTTP failures with backoff. `ok: false` answers are not
 * retried; they become opsbeat errors in `SlackApi.call`.
 */

export interface SlackClientOptions {
  token: string;
  /** `https://slack.com/api/`, or a local fake in tests. */
  apiUrl: string;
  /** One request's limit (the SDK aborts it and retries). */
  timeoutMs: number;
  /** node-retry options; at least one retry, or a 429 is never retried. */
  retryConfig: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number; randomize?: boolean };
  log: Logger;
}

/** About 40 s of retries (1 s, 3 s, 9 s, 27 s): a heartbeat waits, but not for half an hour. */
export function defaultRetryConfig(retries = 4): SlackClientOptions['retryConfig'] {
  return { retries, factor: 3, minTimeout: 1000, maxTimeout: 30_000, randomize: true };
}

export function createWebClient(options: SlackClientOptions): WebClient {
  const client = new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: options.retryConfig,
    rejectRateLimitedCalls: false,
    timeout: options.timeoutMs,
    maxRequestConcurrency: 4,
    logger: sdkLogger(options.log),
    logLevel: LogLevel.INFO,
  });
  client.on(WebClientEvent.RATE_LIMITED, (retryAfterS: number, request: { url?: string }) => {
    options.log.warn({ method: methodOf(request.url), retryAfterS }, 'slack rate limited; waiting');
  });
  return client;
}

/** Calls with a response shape, a debug line per call and errors translated at the boundary. */
export class SlackApi {
  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  async call<T>(method: string, args: Record<string, unknown>, shape: z.ZodType<T>): Promise<T> {
    const started = Date.now();
    let result: WebAPICallResult;
    try {
      result = await this.client.apiCall(method, args);
    } catch (thrown) {
      const err = translateSlackError(thrown, method, this.timeoutMs);
      this.log.warn(
        { method, code: err.code, slackError: err.fields.slackError, status: err.fields.status, durationMs: Date.now() - started },
        'slack call failed',
      );
      throw err;
    }
    this.log.debug({ method, durationMs: Date.now() - started }, 'slack call');
    const parsed = shape.safeParse(result);
    if (!parsed.success) {
      throw new BadResponseError('Slack answered in an unexpected shape', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), {
        service: 'slack',
        fields: { method },
      });
    }
    return parsed.data;
  }
}

function methodOf(url: string | undefined): string | undefined {
  return url?.split('/').pop();
}

/** The SDK's own log lines go to pino: info and below at debug, warnings with a constant message. */
function sdkLogger(log: Logger) {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: (...parts: unknown[]) => log.debug({ sdk: text(parts) }, 'slack sdk'),
    info: (...parts: unknown[]) => log.debug({ sdk: text(parts) }, 'slack sdk'),
    warn: (...parts: unknown[]) => log.warn({ sdk: text(parts) }, 'slack sdk warning'),
    error: (...parts: unknown[]) => log.error({ sdk: text(parts) }, 'slack sdk error'),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

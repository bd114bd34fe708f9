import { performance } from 'node:perf_hooks';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { Logger } from '../../../logging/logger.js';

const GithubOctokit = Octokit.plugin(throttling, retry);
export type GithubOctokit = InstanceType<typeof GithubOctokit>;

/**
 * Knobs of the client's waiting. Production uses GitHub's advice (the defaults); tests and the
 * benchmark make the waits tiny so a 502 or a 429 costs milliseconds.
 */
export interface GithubTuning {
  /** Milliseconds per second of waiting (the plugins' `retryAfterBaseValue`). Default 1000. */
  retryBaseMs?: number;
  /** Pause between writes (GitHub advises at least 1 s) and between writes that notify people (3 s). */
  writePacingMs?: number;
  notificationPacingMs?: number;
  /** Retries of 5xx answers and network failures (plugin-retry). Default 3. */
  retries?: number;
  /** Retries of a rate-limited request (plugin-throttling). Default 1. */
  rateLimitRetries?: number;
  /** The longest rate-limit wait accepted inside a heartbeat, in seconds; a longer one ends the call with `rate_limited`. Default 60. */
  maxRateLimitWaitS?: number;
}

export interface GithubClientOptions {
  baseUrl: string;
  token: string;
  /** Limit for each HTTP exchange (every retry gets its own). */
  timeoutMs: number;
  logger: Logger;
  tuning?: GithubTuning;
}

/** Never retried by plugin-retry: client errors, and 429, which only the throttling plugin decides about. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/**
 * The one Octokit instance of a GitHub board: REST and GraphQL, with the official throttling
 * and retry plugins, a timeout on every exchange, and debug logging of each one. Pacing groups
 * belong to this instance (the plugin's default groups are module-global, shared by every
 * Octokit in the process).
 */
export function createGithubOctokit(options: GithubClientOptions): GithubOctokit {
  const log = options.logger;
  const tuning = options.tuning ?? {};
  const baseMs = tuning.retryBaseMs ?? 1000;
  const rateLimitRetries = tuning.rateLimitRetries ?? 1;
  const maxWaitS = tuning.maxRateLimitWaitS ?? 60;
  const decide = (kind: 'primary' | 'secondary') => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retrying = retryCount < rateLimitRetries && retryAfter <= maxWaitS;
    log.warn(
      { limit: kind, method: request.method, route: request.url, retryAfterS: retryAfter, retryCount, retrying },
      kind === 'primary' ? 'github primary rate limit reached' : 'github secondary rate limit reached',
    );
    return retrying;
  };
  const groupTimeout = 2 * 60_000;
  const throttle = {
    onRateLimit: decide('primary'),
    onSecondaryRateLimit: decide('secondary'),
    retryAfterBaseValue: baseMs,
    fallbackSecondaryRateRetryAfter: 60,
    global: new Bottleneck.Group({ maxConcurrent: 10, timeout: groupTimeout }),
    auth: new Bottleneck.Group({ maxConcurrent: 1, timeout: groupTimeout }),
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: tuning.writePacingMs ?? 1000, timeout: groupTimeout }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: tuning.notificationPacingMs ?? 3000, timeout: groupTimeout }),
    search: new Bottleneck.Group({ maxConcurrent: 1, minTime: 2000, timeout: groupTimeout }),
  };
  return new GithubOctokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'opsbeat',
    request: { fetch: timedFetch(options.timeoutMs, log) },
    throttle,
    retry: { doNotRetry: DO_NOT_RETRY, retries: tuning.retries ?? 3, retryAfterBaseValue: baseMs },
    log: {
      // Octokit's request log (info) and its failed-request lines (error, a 304 included) repeat what
      // timedFetch logs at debug and what the board's callers report; only its warnings are kept.
      debug: () => undefined,
      info: () => undefined,
      warn: (message: unknown) => log.warn({ detail: String(message) }, 'octokit warning'),
      error: () => undefined,
    },
  });
}

/** fetch with a timeout per exchange and a debug line per exchange (method, path, status, duration). */
function timedFetch(timeoutMs: number, log: Logger): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = new URL(input instanceof Request ? input.url : String(input));
    const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    const started = performance.now();
    try {
      const response = await fetch(input, { ...init, signal });
      log.debug({ method, path: url.pathname, status: response.status, durationMs: Math.round(performance.now() - started) }, 'github request');
      return response;
    } catch (err) {
      const name = (err as { name?: string }).name;
      log.debug({ method, path: url.pathname, failure: name, durationMs: Math.round(performance.now() - started) }, 'github request failed');
      throw err;
    }
  };
}

import { request, type Dispatcher } from 'undici';
import { InvariantError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { ProbeExpectation, ProbeFailure, ProbeResult, Probes } from './types.js';

export interface HttpProbesOptions {
  logger: Logger;
  /** undici dispatcher; the global one by default. */
  dispatcher?: Dispatcher;
}

/** Bytes of body read to time a full answer; the rest is discarded. */
const BODY_LIMIT = 1_000_000;

/**
 * GET with undici and a hard deadline. HTTP-level failures (wrong status, slow, no answer,
 * refused) are results, never exceptions; only an aborted caller signal throws its reason.
 * Redirects are not followed: a health check that redirects is a misconfiguration to see.
 */
export class HttpProbes implements Probes {
  private readonly log: Logger;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(options: HttpProbesOptions) {
    this.log = options.logger.child({ adapter: 'http-probes' });
    this.dispatcher = options.dispatcher;
  }

  async check(url: string, expect: ProbeExpectation, signal?: AbortSignal): Promise<ProbeResult> {
    const target = publicUrl(url);
    signal?.throwIfAborted();
    // A margin past maxMs, so an answer that is merely slow is told apart from no answer.
    const deadlineMs = expect.maxMs + Math.min(Math.max(Math.round(expect.maxMs / 4), 250), 5000);
    const deadline = AbortSignal.timeout(deadlineMs);
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let result: ProbeResult;
    try {
      const response = await request(url, {
        method: 'GET',
        headers: { 'user-agent': 'opsbeat-probe' },
        headersTimeout: deadlineMs,
        bodyTimeout: deadlineMs,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      // dump() resolves quietly when the deadline cuts the body short, so look at the signals.
      await response.body.dump({ limit: BODY_LIMIT });
      if (signal?.aborted) throw signal.reason;
      result = deadline.aborted
        ? fail(target, elapsed(), 'timeout', `no answer within ${expect.maxMs} ms`, response.statusCode)
        : judge(target, expect, response.statusCode, elapsed());
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      result = failure(target, expect, err, deadline.aborted, elapsed());
    }
    this.log.debug({ method: 'GET', url: target, status: result.status, durationMs: result.durationMs, failure: result.failure }, 'probe finished');
    return result;
  }
}

function judge(url: string, expect: ProbeExpectation, status: number, durationMs: number): ProbeResult {
  if (status !== expect.status) {
    return fail(url, durationMs, 'unexpected_status', `HTTP ${status} in ${durationMs} ms (expected ${expect.status})`, status);
  }
  if (durationMs > expect.maxMs) {
    return fail(url, durationMs, 'too_slow', `answered in ${durationMs} ms (limit ${expect.maxMs} ms)`, status);
  }
  return { url, ok: true, status, durationMs, summary: `HTTP ${status} in ${durationMs} ms` };
}

function failure(url: string, expect: ProbeExpectation, err: unknown, pastDeadline: boolean, durationMs: number): ProbeResult {
  const code = errorCode(err);
  if (pastDeadline || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return fail(url, durationMs, 'timeout', `no answer within ${expect.maxMs} ms`);
  }
  return fail(url, durationMs, 'connection_failed', `connection failed (${code ?? 'unknown error'})`);
}

function fail(url: string, durationMs: number, failure: ProbeFailure, summary: string, status?: number): ProbeResult {
  return { url, ok: false, ...(status === undefined ? {} : { status }), durationMs, failure, summary };
}

/** The code of the error or of what it wraps: ECONNREFUSED, ENOTFOUND, CERT_…, UND_ERR_…. */
function errorCode(err: unknown): string | undefined {
  for (let current = err, depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; name?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof e.code === 'string') return e.code;
    current = e.cause ?? e.errors?.[0];
  }
  return undefined;
}

/** The URL as logged and reported: credentials never leave, whatever the config held. */
function publicUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvariantError('probe URL is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvariantError('probe URL must be http or https', { fields: { protocol: parsed.protocol } });
  }
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

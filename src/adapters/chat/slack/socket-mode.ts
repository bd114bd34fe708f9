import { LogLevel, SocketModeClient, type Logger as SlackLogger } from '@slack/socket-mode';
import { ExternalError, type OpsbeatError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { Mention } from '../types.js';
import { mentionFromMessage, type SlackIds } from './mentions.js';
import { SlackMessage } from './schema.js';
import { translateSlackError } from './slack-errors.js';

/**
 * Socket Mode: Slack pushes events over a WebSocket opened with the app-level token (`xapp-…`,
 * scope `connections:write`), so mentions are answered at once instead of at the next heartbeat.
 * `@slack/socket-mode`'s client calls `apps.connections.open` and keeps the socket alive (pings);
 * reconnecting is done here. Each event is acknowledged first (Slack redelivers after 3 s), then
 * handed on; a redelivered or double-delivered event (`app_mention` and `message` for one
 * message) is answered once because every answer goes through the ledger claim.
 */

export interface SocketModeOptions {
  appToken: string;
  apiUrl: string;
  log: Logger;
  /** One `apps.connections.open` request's limit. */
  timeoutMs?: number;
}

/** What the client emits for an `events_api` envelope, by the event's type (SocketModeClient `onWebSocketMessage`). */
interface EventsApiDelivery {
  /** Sends `{ envelope_id, payload: {} }` back over the socket. */
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  /** `payload.event`: the `app_mention` or `message` event. */
  event: unknown;
  /** The envelope's `retry_attempt`: set when Slack redelivers an event it saw no ack for. */
  retry_num?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Retries of one `apps.connections.open` (a 429's Retry-After is honoured); the reconnect loop retries beyond. */
const OPEN_RETRIES = { retries: 2, factor: 2, minTimeout: 1000, maxTimeout: 5000, randomize: true };
/** Waits between connection attempts: doubling from 1 s to at most a minute. */
const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 60_000;
/** Slack's answers to `apps.connections.open` that no retry will change: the app-level token is wrong. */
const APP_TOKEN_REFUSED: Record<string, 'slack_auth_failed' | 'slack_missing_scope'> = {
  invalid_auth: 'slack_auth_failed',
  not_authed: 'slack_auth_failed',
  account_inactive: 'slack_auth_failed',
  token_revoked: 'slack_auth_failed',
  token_expired: 'slack_auth_failed',
  not_allowed_token_type: 'slack_auth_failed',
  missing_scope: 'slack_missing_scope',
};

/**
 * Connect and hand on every mention pushed. A refused app token fails the start (mentions are then
 * answered by polling); any other failure, at start or later, is retried with backoff until `stop()`.
 */
export async function startSocketMode(
  options: SocketModeOptions,
  ids: () => Promise<SlackIds>,
  onMention: (mention: Mention) => Promise<void>,
): Promise<{ stop(): Promise<void> }> {
  const { log } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const known = await ids();
  const client = new SocketModeClient({
    appToken: options.appToken,
    logger: clientLogger(log, options.appToken),
    // The client's own reconnecting leaves a rejected promise unhandled when Slack refuses the token
    // on a reconnect (3.1 `delayReconnectAttempt`), which would end the process.
    autoReconnectEnabled: false,
    clientOptions: { slackApiUrl: options.apiUrl, timeout: timeoutMs, retryConfig: OPEN_RETRIES },
  });

  const handle = (delivery: EventsApiDelivery) => {
    void (async () => {
      const where = { envelopeId: delivery.envelope_id, retryNum: delivery.retry_num };
      await delivery.ack().catch((err: unknown) => log.warn({ err, ...where }, 'socket mode event could not be acknowledged'));
      const mention = mentionFromEvent(delivery.event, known);
      log.debug({ ...where, mention: mention !== undefined }, 'socket mode event');
      if (mention) await onMention(mention);
    })().catch((err: unknown) => log.warn({ err }, 'socket mode event could not be handled'));
  };
  client.on('app_mention', handle);
  client.on('message', handle);
  client.on('connected', () => log.info('socket mode connected'));

  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The connection attempt under way: resolves with why it failed, if it did. */
  let attempt: Promise<OpsbeatError | undefined> | undefined;

  const connect = (): Promise<OpsbeatError | undefined> => {
    const settled = client.start().then(
      () => {
        attempt = undefined;
        failures = 0;
        return undefined;
      },
      (thrown: unknown) => {
        attempt = undefined;
        return startError(thrown, timeoutMs);
      },
    );
    attempt = settled;
    return settled;
  };
  const reconnectLater = (): void => {
    if (stopped || timer) return;
    const delayMs = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** failures);
    failures += 1;
    log.info({ delayMs }, 'socket mode reconnecting');
    timer = setTimeout(() => {
      timer = undefined;
      void reconnect().catch((err: unknown) => log.warn({ err }, 'socket mode could not reconnect; trying again'));
    }, delayMs);
  };
  const reconnect = async (): Promise<void> => {
    const err = await connect();
    if (stopped || !err) return;
    if (refused(err)) {
      log.error({ err, code: err.code }, 'socket mode stopped: Slack refused the app-level token; answering mentions by polling');
      stopped = true;
      await client.disconnect();
      return;
    }
    log.warn({ err, code: err.code, failures }, 'socket mode could not reconnect; trying again');
    reconnectLater();
  };
  // Slack closes connections routinely (`disconnect` messages, a few times a day); a failed attempt reconnects itself.
  client.on('disconnected', () => {
    if (!attempt) reconnectLater();
  });

  const first = await connect();
  if (first && refused(first)) {
    await client.disconnect();
    throw first;
  }
  if (first) {
    log.warn({ err: first, code: first.code }, 'socket mode could not connect; trying again');
    reconnectLater();
  }
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await client.disconnect();
      // An attempt still opening its socket finishes first; then that socket is closed too.
      if (attempt) {
        await attempt;
        await client.disconnect();
      }
      log.info('socket mode disconnected');
    },
  };
}

/** An `app_mention` or `message` event payload as a mention, when it is one. */
export function mentionFromEvent(event: unknown, ids: SlackIds): Mention | undefined {
  const channel = (event as { channel?: unknown } | undefined)?.channel;
  const parsed = SlackMessage.safeParse(event);
  if (typeof channel !== 'string' || !parsed.success) return undefined;
  return mentionFromMessage(channel, parsed.data, ids);
}

function refused(err: OpsbeatError): boolean {
  return err.code === 'slack_auth_failed' || err.code === 'slack_missing_scope';
}

/** Why the client could not connect, as an opsbeat error; a refused token is named as the app-level one. */
function startError(thrown: unknown, timeoutMs: number): OpsbeatError {
  const err = translateSlackError(thrown, 'apps.connections.open', timeoutMs);
  const slackError = err.fields.slackError;
  const code = typeof slackError === 'string' ? APP_TOKEN_REFUSED[slackError] : undefined;
  if (!code) return err;
  return new ExternalError(code, 'Slack refused the app-level token', {
    service: 'slack',
    details:
      'Check `SLACK_APP_TOKEN`: it must be an app-level token (`xapp-…`) with the `connections:write` scope, of an app with Socket Mode turned on. Until then mentions are answered by polling.',
    fields: err.fields,
    cause: thrown,
  });
}

/**
 * The client's own log lines go to pino: debug and info at debug, warnings and errors at warn
 * with a constant message (a dropped socket is reconnected, so its errors are not ours to page
 * on). The app token is cut out of every line, whatever the sink's redaction knows.
 */
function clientLogger(log: Logger, appToken: string): SlackLogger {
  const text = (parts: unknown[]) =>
    parts
      .map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p)))
      .join(' ')
      .split(appToken)
      .join('[REDACTED]');
  return {
    debug: (...parts: unknown[]) => log.debug({ sdk: text(parts) }, 'slack socket mode'),
    info: (...parts: unknown[]) => log.debug({ sdk: text(parts) }, 'slack socket mode'),
    warn: (...parts: unknown[]) => log.warn({ sdk: text(parts) }, 'slack socket mode warning'),
    error: (...parts: unknown[]) => log.warn({ sdk: text(parts), sdkLevel: 'error' }, 'slack socket mode error'),
    // pino's level decides what is written; the client asks only to skip building debug text.
    getLevel: () => (log.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO),
    setLevel: () => undefined,
    setName: () => undefined,
  };
}

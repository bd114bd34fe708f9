import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { ExternalError, OpsbeatError, RateLimitedError, TimeoutError } from '../../../errors.js';

/**
 * Slack's errors as opsbeat errors, at the adapter boundary. The token is never part of a message
 * or a field: the SDK sends it in a header, and only Slack's own error code and the method name
 * are kept. Codes are a closed set; Slack's error string is in `fields.slackError`.
 */

export type SlackErrorCode =
  | 'slack_auth_failed'
  | 'slack_missing_scope'
  | 'slack_channel_unavailable'
  | 'slack_message_rejected'
  | 'slack_api_error'
  | 'slack_http_error'
  | 'slack_unreachable';

const GROUPS: Record<string, Exclude<SlackErrorCode, 'slack_api_error' | 'slack_http_error' | 'slack_unreachable'>> = {
  invalid_auth: 'slack_auth_failed',
  not_authed: 'slack_auth_failed',
  account_inactive: 'slack_auth_failed',
  token_revoked: 'slack_auth_failed',
  token_expired: 'slack_auth_failed',
  missing_scope: 'slack_missing_scope',
  channel_not_found: 'slack_channel_unavailable',
  not_in_channel: 'slack_channel_unavailable',
  is_archived: 'slack_channel_unavailable',
  invalid_blocks: 'slack_message_rejected',
  msg_too_long: 'slack_message_rejected',
  msg_blocks_too_long: 'slack_message_rejected',
  no_text: 'slack_message_rejected',
  cant_update_message: 'slack_message_rejected',
  edit_window_closed: 'slack_message_rejected',
  message_not_found: 'slack_message_rejected',
};

const MESSAGES: Record<SlackErrorCode, string> = {
  slack_auth_failed: 'Slack refused the bot token',
  slack_missing_scope: 'the Slack app lacks a scope this call needs',
  slack_channel_unavailable: 'the Slack channel cannot be used',
  slack_message_rejected: 'Slack rejected the message',
  slack_api_error: 'Slack refused the call',
  slack_http_error: 'Slack answered with an HTTP error',
  slack_unreachable: 'Slack could not be reached',
};

const DETAILS: Partial<Record<SlackErrorCode, string>> = {
  slack_auth_failed: 'Check `SLACK_BOT_TOKEN`: it must be the bot token (`xoxb-…`) of an app installed in the workspace.',
  slack_missing_scope: 'Add the scope Slack names in `needed` to the app\'s bot token scopes and reinstall the app (see src/adapters/chat/slack/README.md).',
  slack_channel_unavailable: 'Invite the bot to the channel (`/invite @opsbeat`), or fix the channel name in `chat.slack`.',
};

export function translateSlackError(err: unknown, method: string, timeoutMs: number): OpsbeatError {
  if (err instanceof OpsbeatError) return err;
  if (err instanceof WebAPIPlatformError) {
    const slackError = String(err.data.error);
    const code = GROUPS[slackError] ?? 'slack_api_error';
    const scopes = slackError === 'missing_scope' ? { needed: (err.data as { needed?: string }).needed } : {};
    return new ExternalError(code, MESSAGES[code], {
      service: 'slack',
      details: DETAILS[code] ?? `Slack answered \`${slackError}\` to \`${method}\`.`,
      fields: { method, slackError, ...scopes },
      cause: err,
    });
  }
  if (err instanceof WebAPIRateLimitedError) {
    return new RateLimitedError('Slack rate limit reached', {
      service: 'slack',
      retryAfterMs: err.retryAfter * 1000,
      status: 429,
      fields: { method },
    });
  }
  if (err instanceof WebAPIHTTPError) {
    return new ExternalError('slack_http_error', MESSAGES.slack_http_error, {
      service: 'slack',
      status: err.statusCode,
      retryable: err.statusCode >= 500,
      fields: { method, status: err.statusCode },
    });
  }
  if (err instanceof WebAPIRequestError) {
    const name = err.original.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new TimeoutError('Slack did not answer in time', timeoutMs, { service: 'slack', fields: { method } });
    }
    return new ExternalError('slack_unreachable', MESSAGES.slack_unreachable, { service: 'slack', retryable: true, fields: { method }, cause: err });
  }
  // The SDK gives up on retries (a 429 without a usable Retry-After, or too many 429s) with a plain Error.
  return new ExternalError('slack_api_error', MESSAGES.slack_api_error, { service: 'slack', retryable: true, fields: { method }, cause: err });
}

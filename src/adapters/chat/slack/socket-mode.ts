import { OpsbeatError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { Mention } from '../types.js';
import { mentionFromMessage, type SlackIds } from './mentions.js';
import { SlackMessage } from './schema.js';

/**
 * Socket Mode: Slack pushes events over a WebSocket opened with the app-level token (`xapp-…`,
 * scope `connections:write`), so mentions are answered at once instead of at the next heartbeat.
 * `@slack/socket-mode` is loaded when Socket Mode starts; a build without it says so and
 * opsbeat keeps answering by polling. Each event is acknowledged first (Slack redelivers after
 * 3 s), then handed on; a redelivered or double-delivered event (`app_mention` and `message`
 * for one message) is answered once because every answer goes through the ledger claim.
 */

/** The package is optional: named through a variable so the build does not need its types. */
const SOCKET_MODE_PACKAGE: string = '@slack/socket-mode';

export interface SocketModeOptions {
  appToken: string;
  apiUrl: string;
  log: Logger;
}

interface SocketEvent {
  event?: unknown;
  ack?: () => Promise<void>;
}

interface SocketModeClientLike {
  on(event: string, listener: (args: SocketEvent) => void): unknown;
  start(): Promise<unknown>;
  disconnect(): Promise<unknown>;
}

type SocketModeModule = { SocketModeClient: new (options: Record<string, unknown>) => SocketModeClientLike };

export async function startSocketMode(
  options: SocketModeOptions,
  ids: () => Promise<SlackIds>,
  onMention: (mention: Mention) => Promise<void>,
): Promise<{ stop(): Promise<void> }> {
  const loaded = (await import(SOCKET_MODE_PACKAGE).catch(() => undefined)) as SocketModeModule | undefined;
  if (!loaded?.SocketModeClient) {
    throw new OpsbeatError('socket_mode_unavailable', 'Socket Mode is not available in this build', {
      details: 'Install `@slack/socket-mode` to answer mentions at once; until then they are answered by polling every heartbeat.',
    });
  }
  const known = await ids();
  const client = new loaded.SocketModeClient({ appToken: options.appToken, clientOptions: { slackApiUrl: options.apiUrl } });
  const handle = (args: SocketEvent) => {
    void (async () => {
      await args.ack?.();
      const mention = mentionFromEvent(args.event, known);
      if (mention) await onMention(mention);
    })().catch((err: unknown) => options.log.warn({ err }, 'socket mode event could not be handled'));
  };
  client.on('app_mention', handle);
  client.on('message', handle);
  await client.start();
  options.log.info('socket mode connected');
  return {
    stop: async () => {
      await client.disconnect();
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

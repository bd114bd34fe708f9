import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { GithubBoardConfig } from '../config/normalise.js';
import type { Logger } from '../logging/logger.js';
import type { HttpRequest, HttpResponse, HttpRoute } from './server.js';

/** Where GitHub delivers (configure the webhook with content type application/json). */
export const GITHUB_WEBHOOK_PATH = '/github/webhook';

export interface GithubWebhookOptions {
  /** GITHUB_WEBHOOK_SECRET: the secret set on the webhook. */
  secret: string;
  board: Pick<GithubBoardConfig, 'owner' | 'repo' | 'status'>;
  log: Logger;
  /** Start a heartbeat soon. Called without waiting for it. */
  wake: () => void;
}

// Only the fields read; GitHub sends much more (@octokit/openapi-webhooks-types).
const IssuesEvent = z.object({
  action: z.string(),
  label: z.object({ name: z.string() }).optional(),
  issue: z.object({ number: z.number(), state: z.string().optional(), pull_request: z.unknown().optional() }).optional(),
  repository: z.object({ full_name: z.string() }).optional(),
});

const ProjectItemEvent = z.object({
  action: z.string(),
  changes: z
    .object({
      field_value: z
        .object({
          field_name: z.string().optional(),
          project_number: z.number().optional(),
          to: z.object({ name: z.string().optional() }).nullable().optional(),
        })
        .optional(),
    })
    .optional(),
});

/**
 * The wake-up webhook: GitHub tells opsbeat that a ticket entered rfp (the rfp label was added,
 * or the project's status field was set to the rfp option) and a heartbeat starts at once,
 * instead of at the next scheduled one. Only a delivery signed with the shared secret
 * (`X-Hub-Signature-256`, HMAC-SHA256 of the raw body, compared in constant time) is read.
 * Answers: 202 heartbeat started, 204 nothing to do, 401 unsigned or badly signed, 400 unreadable.
 */
export function githubWebhook(options: GithubWebhookOptions): HttpRoute {
  const secret = Buffer.from(options.secret, 'utf8');
  return async (request) => {
    const delivery = header(request, 'x-github-delivery');
    const event = header(request, 'x-github-event');
    const refuse = (status: number, reason: string): HttpResponse => {
      options.log.warn({ reason, delivery, event, remote: request.remote }, 'github webhook refused');
      return { status, body: { error: reason } };
    };
    if (request.method !== 'POST') return { status: 405, body: { error: 'POST only' } };
    const signature = header(request, 'x-hub-signature-256');
    if (!signature) return refuse(401, 'unsigned');
    if (!signedWith(secret, request.body, signature)) return refuse(401, 'bad_signature');
    if (!event) return refuse(400, 'no_event_header');
    let payload: unknown;
    try {
      payload = JSON.parse(request.body.toString('utf8'));
    } catch {
      return refuse(400, 'body_not_json');
    }
    if (!entersRfp(event, payload, options.board)) {
      options.log.debug({ delivery, event }, 'github webhook: nothing entered rfp');
      return { status: 204, body: '' };
    }
    options.log.info({ delivery, event }, 'github webhook: a ticket entered rfp; starting a heartbeat');
    options.wake();
    return { status: 202, body: { status: 'heartbeat started' } };
  };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time. */
function signedWith(secret: Buffer, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function entersRfp(event: string, payload: unknown, board: GithubWebhookOptions['board']): boolean {
  const same = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();
  const { status } = board;
  if (status.mode === 'labels') {
    if (event !== 'issues') return false;
    const parsed = IssuesEvent.safeParse(payload);
    if (!parsed.success) return false;
    const { action, label, issue, repository } = parsed.data;
    return (
      action === 'labeled' &&
      same(label?.name, status.rfp) &&
      same(repository?.full_name, `${board.owner}/${board.repo}`) &&
      issue?.pull_request === undefined &&
      issue?.state !== 'closed'
    );
  }
  if (event !== 'projects_v2_item') return false;
  const parsed = ProjectItemEvent.safeParse(payload);
  const change = parsed.success && parsed.data.action === 'edited' ? parsed.data.changes?.field_value : undefined;
  if (!change || !same(change.field_name, status.field)) return false;
  if (change.project_number !== undefined && change.project_number !== status.project) return false;
  // Older deliveries carry no `to`: a change of the status field may be one into rfp.
  return change.to?.name === undefined || same(change.to.name, status.rfp);
}

function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

import { done, type StepContext, type StepOutcome, type StepProblem } from '../heartbeat/context.js';
import type { StepOutputs } from '../heartbeat/step-outputs.js';
import type { DeploymentRow } from '../heartbeat/ledger.js';
import type { EnsureOutcome } from '../adapters/board/types.js';
import { settleEach } from '../heartbeat/settle-each.js';
import { OpsbeatError } from '../errors.js';
import { ticketActionFor } from '../deploy/states.js';
import type { GateDecision } from '../gate/types.js';
import type { CheckResult } from '../plan/types.js';
import {
  deployedComment,
  failedComment,
  holdResolvedComment,
  precheckHoldComment,
  rolledBackComment,
} from '../messages/ticket-comments.js';

const HOLD_KEY = 'hold';
const PRECHECK = 'precheck:';

/**
 * Step 5: the board side of everything that happened. Finished deployments get their comment and
 * status move (closed, or deploy-failed so they are never retried in a loop); held tickets get one
 * hold comment, updated in place, and marked resolved once the hold is gone.
 * Works from the ledger, so work a crash interrupted is finished by a later heartbeat.
 */
export async function closeTickets(ctx: StepContext): Promise<StepOutcome<StepOutputs['close-tickets']>> {
  const closed: string[] = [];
  const failed: string[] = [];
  const newlyHeld: string[] = [];
  const finished = await settleEach(await ctx.ledger.unfinishedTicketWork(), (d) => d.ticket, async (row) => {
    const action = await finishTicket(ctx, row);
    if (action === 'close') closed.push(row.ticket);
    if (action === 'fail') failed.push(row.ticket);
    if (action === 'new-hold') newlyHeld.push(row.ticket);
  });

  const decisions = ctx.maybe('plan-deploys')?.decisions ?? ctx.maybe('gate-tickets')?.decisions ?? [];
  const holds = decisions.filter((d): d is Extract<GateDecision, { kind: 'hold' }> => d.kind === 'hold');
  const written = await settleEach(holds, (d) => d.ticket.id, async (d) => ({
    ticket: d.ticket.id,
    outcome: (await writeHold(ctx, d.ticket.id, d.reason, d.message)).outcome,
  }));
  const resolved = await resolveHolds(ctx, decisions);

  const problems: StepProblem[] = [...finished.problems, ...written.problems, ...resolved.problems];
  const parts = [
    closed.length && `${closed.length} closed`,
    failed.length && `${failed.length} moved to deploy-failed`,
    holds.length && `${holds.length} held`,
    resolved.results.length && `${resolved.results.length} holds resolved`,
  ].filter(Boolean);
  return done(
    parts.length ? parts.join(', ') : 'nothing to close',
    {
      closed,
      failed,
      holdsWritten: [...written.results.filter((w) => w.outcome !== 'unchanged').map((w) => w.ticket), ...newlyHeld],
      holdsResolved: resolved.results,
    },
    problems,
  );
}

/**
 * A pre-check hold is retried every heartbeat; it is news (for the summary) only when it starts
 * or its reason changes, not each time the same check fails again.
 */
async function finishTicket(ctx: StepContext, row: DeploymentRow): Promise<'close' | 'fail' | 'hold' | 'new-hold' | 'none'> {
  const action = ticketActionFor(row.state);
  const checks = await checksOf(ctx, row.id);
  let fresh = false;
  if (action === 'close') {
    await ctx.board.ensureComment(row.ticket, `deploy:${row.id}`, ctx.redactor.redact(deployedComment(row, checks)));
    await moveUnlessMoved(ctx, row, 'closed');
  } else if (action === 'fail') {
    const body = row.state === 'rolled_back' ? rolledBackComment(row, checks) : failedComment(row, checks);
    await ctx.board.ensureComment(row.ticket, `deploy:${row.id}`, ctx.redactor.redact(body));
    await moveUnlessMoved(ctx, row, 'deploy-failed');
  } else if (action === 'hold' && row.failure?.stage === 'precheck') {
    fresh = (await writeHold(ctx, row.ticket, `${PRECHECK}${row.failure.code}`, precheckHoldComment(row))).fresh;
  }
  await ctx.ledger.markTicketDone(row.id, ctx.now());
  ctx.log.info({ ticket: row.ticket, deployment: row.id, state: row.state }, 'ticket updated for finished deployment');
  return fresh ? 'new-hold' : (action ?? 'none');
}

/** Someone may have moved the ticket by hand meanwhile; that is their call, not an error to retry forever. */
async function moveUnlessMoved(ctx: StepContext, row: DeploymentRow, to: 'closed' | 'deploy-failed'): Promise<void> {
  try {
    await ctx.board.moveTicket(row.ticket, 'rfp', to);
  } catch (err) {
    if (!(err instanceof OpsbeatError && err.code === 'ticket_moved')) throw err;
    ctx.log.warn({ ticket: row.ticket, to }, 'ticket was moved by someone else; left where it is');
  }
}

/** `fresh`: no open hold of this ticket for this reason before. */
async function writeHold(ctx: StepContext, ticket: string, reason: string, message: string): Promise<{ outcome: EnsureOutcome; fresh: boolean }> {
  const text = ctx.redactor.redact(message);
  const outcome = await ctx.board.ensureComment(ticket, HOLD_KEY, text);
  const known = await ctx.ledger.getNotice(`hold:${ticket}`);
  const fresh = !known || known.resolvedAt !== null || known.reason !== reason;
  if (outcome !== 'unchanged' || fresh) {
    await ctx.ledger.upsertNotice({ key: `hold:${ticket}`, kind: 'hold', ticket, reason, text, message: null, at: ctx.now() });
  }
  return { outcome, fresh };
}

/**
 * A hold is resolved when its ticket left rfp, when a deployment of it got past the pre-checks,
 * or — for holds the gate or planning wrote — when they no longer hold it.
 */
async function resolveHolds(ctx: StepContext, decisions: readonly GateDecision[]) {
  const queue = ctx.maybe('read-queue');
  const inRfp = queue ? new Set(queue.tickets.map((t) => t.id)) : undefined;
  const heldNow = new Set(decisions.filter((d) => d.kind === 'hold').map((d) => d.ticket.id));
  const decided = new Set(decisions.map((d) => d.ticket.id));
  const wentThrough = new Set(
    (ctx.maybe('execute-deploys')?.outcomes ?? []).filter((o) => o.state !== 'dropped').map((o) => o.ticket),
  );
  const open = await ctx.ledger.openNotices('hold');
  const done = open.filter((n) => {
    if (inRfp && !inRfp.has(n.ticket)) return true;
    if (wentThrough.has(n.ticket)) return true;
    return !n.reason.startsWith(PRECHECK) && decided.has(n.ticket) && !heldNow.has(n.ticket);
  });
  return settleEach(done, (n) => n.ticket, async (notice) => {
    try {
      await ctx.board.ensureComment(notice.ticket, HOLD_KEY, holdResolvedComment(notice.text, ctx.now()));
    } catch (err) {
      // A ticket that no longer exists has nothing left to resolve.
      if (!(err instanceof OpsbeatError && err.code === 'ticket_not_found')) throw err;
    }
    await ctx.ledger.resolveNotice(notice.key, ctx.now());
    return notice.ticket;
  });
}

async function checksOf(ctx: StepContext, deploymentId: string): Promise<CheckResult[]> {
  const events = await ctx.ledger.deploymentEvents(deploymentId);
  return events.filter((e) => e.kind === 'check').map((e) => e.detail as unknown as CheckResult);
}

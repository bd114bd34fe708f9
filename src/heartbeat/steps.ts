import type { StepContext, StepOutcome } from './context.js';
import type { StepName, StepOutputs } from './step-outputs.js';
import { readQueue } from '../steps/read-queue.js';
import { gateTickets } from '../steps/gate-tickets.js';
import { planDeploys } from '../steps/plan-deploys.js';
import { executeDeploys } from '../steps/execute-deploys.js';
import { closeTickets } from '../steps/close-tickets.js';
import { postSummary } from '../steps/post-summary.js';
import { answerMentions } from '../steps/answer-mentions.js';

export interface StepDefinition<N extends StepName = StepName> {
  name: N;
  /** One line: what the step is for. */
  purpose: string;
  run: (ctx: StepContext) => Promise<StepOutcome<StepOutputs[N]>>;
  /** Steps whose output this one cannot work without: when one of them did not finish, this step is skipped. */
  needs: StepName[];
  /** Steps whose output this one uses when it is there. */
  uses: StepName[];
  /** Whether it changes the outside world (board, chat, Fly). */
  mutates: boolean;
}

function step<N extends StepName>(definition: StepDefinition<N>): StepDefinition<N> {
  return definition;
}

/** The heartbeat, in order. Array order is the only place the order is written down. */
export const STEPS: readonly StepDefinition[] = [
  step({ name: 'read-queue', purpose: 'read every rfp ticket from the board', run: readQueue, needs: [], uses: [], mutates: false }),
  step({
    name: 'gate-tickets',
    purpose: 'deploy only with CQ and QA pass and valid deploy notes; otherwise hold or ask',
    run: gateTickets,
    needs: ['read-queue'],
    uses: [],
    mutates: false,
  }),
  step({
    name: 'plan-deploys',
    purpose: 'build an explicit plan per ticket: pre-checks, command, post-checks, rollback',
    run: planDeploys,
    needs: ['gate-tickets'],
    uses: [],
    mutates: false,
  }),
  step({
    name: 'execute-deploys',
    purpose: 'reconcile unfinished deployments, then run each plan; roll back at once on failure',
    run: executeDeploys,
    needs: [],
    uses: ['plan-deploys'],
    mutates: true,
  }),
  step({
    name: 'close-tickets',
    purpose: 'comment and move tickets of finished deployments; write and resolve hold comments',
    run: closeTickets,
    needs: [],
    uses: ['gate-tickets', 'plan-deploys', 'execute-deploys'],
    mutates: true,
  }),
  step({
    name: 'post-summary',
    purpose: 'ask, remind and resolve questions; post one summary to #standup',
    run: postSummary,
    needs: [],
    uses: ['gate-tickets', 'plan-deploys', 'execute-deploys', 'close-tickets'],
    mutates: true,
  }),
  step({
    name: 'answer-mentions',
    purpose: 'answer every mention of the bot or @ops since the last cursor, once, in its thread',
    run: answerMentions,
    needs: [],
    uses: [],
    mutates: true,
  }),
];

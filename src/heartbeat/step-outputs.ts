import type { Ticket } from '../adapters/board/types.js';
import type { GateDecision } from '../gate/types.js';
import type { DeployPlan } from '../plan/types.js';
import type { DeploymentOutcome } from '../deploy/outcome.js';

/** What each step hands to the later ones. */
export interface StepOutputs {
  'read-queue': { tickets: Ticket[] };
  'gate-tickets': { decisions: GateDecision[] };
  /** Plans to execute, and decisions planning turned into holds (e.g. no rollback target). */
  'plan-deploys': { plans: DeployPlan[]; decisions: GateDecision[] };
  'execute-deploys': { outcomes: DeploymentOutcome[] };
  'close-tickets': {
    closed: string[];
    failed: string[];
    holdsWritten: string[];
    holdsResolved: string[];
  };
  'post-summary': { posted: boolean; questionsAsked: string[]; questionsResolved: string[]; reminders: string[] };
  /** Mentions answered this heartbeat (by polling), and how many found were answered before. */
  'answer-mentions': { answered: { channel: string; ts: string; command: string }[]; answeredBefore: number };
}

export type StepName = keyof StepOutputs;

/**
 * The deployment state machine, persisted before every external action:
 *
 *   planned → prechecked → deploying → verifying → succeeded
 *                              ↓            ↓
 *                          rolling_back → rolled_back | failed
 *   planned | prechecked → dropped   (a pre-check held it, or the ticket changed: retried next heartbeat)
 *   deploying → failed               (interrupted with no trace of a release on Fly: a human decides)
 */
export const DEPLOY_STATES = [
  'planned',
  'prechecked',
  'deploying',
  'verifying',
  'rolling_back',
  'succeeded',
  'rolled_back',
  'failed',
  'dropped',
] as const;

export type DeployState = (typeof DEPLOY_STATES)[number];

export const TERMINAL_STATES: readonly DeployState[] = ['succeeded', 'rolled_back', 'failed', 'dropped'];

const NEXT: Record<DeployState, readonly DeployState[]> = {
  planned: ['prechecked', 'dropped'],
  prechecked: ['deploying', 'dropped'],
  deploying: ['verifying', 'rolling_back', 'failed'],
  verifying: ['succeeded', 'rolling_back'],
  rolling_back: ['rolled_back', 'failed'],
  succeeded: [],
  rolled_back: [],
  failed: [],
  dropped: [],
};

export function isTerminal(state: DeployState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: DeployState, to: DeployState): boolean {
  return NEXT[from].includes(to);
}

/** What step 5 does with the ticket once a deployment ends. */
export function ticketActionFor(state: DeployState): 'close' | 'fail' | 'hold' | undefined {
  switch (state) {
    case 'succeeded':
      return 'close';
    case 'rolled_back':
    case 'failed':
      return 'fail';
    case 'dropped':
      return 'hold';
    default:
      return undefined;
  }
}

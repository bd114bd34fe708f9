import type { CheckResult, EmergencyBypass } from '../plan/types.js';
import type { DeploymentFailure } from '../heartbeat/ledger.js';
import type { DeployState } from './states.js';

/** What became of one deployment during a heartbeat (run now, or reconciled from an earlier one). */
export interface DeploymentOutcome {
  deploymentId: string;
  ticket: string;
  ticketTitle: string;
  app: string;
  image: string;
  ref: string;
  state: DeployState;
  /** True when this heartbeat picked up a deployment left unfinished by an earlier process. */
  reconciled: boolean;
  releaseVersion: number | null;
  failure: DeploymentFailure | null;
  checks: CheckResult[];
  rollbackImage: string;
  emergency: EmergencyBypass | null;
}

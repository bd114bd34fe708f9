import type { DeployWindow } from '../config/normalise.js';
import type { DeployRequest } from '../adapters/platform/types.js';
import type { MigrationCheck } from '../gate/migration-types.js';

/**
 * A deploy plan: plain, JSON-safe, built by a pure function. `opsbeat plan <ticket>` prints it;
 * step 4 executes exactly this object; it is stored with the deployment.
 */

export interface EmergencyBypass {
  /** The operator who labelled the ticket `emergency`. */
  by: string;
  at: string;
}

export type PreCheck =
  /** No lock on the app and no freeze of all apps (locks are read from the ledger when the check runs). */
  | { kind: 'not_locked'; app: string }
  | { kind: 'deploy_window'; windows: DeployWindow[]; emergency: EmergencyBypass | null }
  | { kind: 'app_healthy'; app: string; processGroup: string; healthUrl: string; maxMs: number }
  | { kind: 'rollback_target'; app: string; image: string; version: number }
  | { kind: 'secrets_present'; app: string; names: string[] }
  | { kind: 'migrations_applied'; databaseUrlEnv: string; checks: MigrationCheck[] };

export type PostCheck =
  | { kind: 'machines'; app: string; processGroup: string; image: string }
  | { kind: 'health'; url: string; maxMs: number }
  | { kind: 'smoke'; url: string; status: number; maxMs: number }
  | { kind: 'log_scan'; app: string; lines: number }
  | { kind: 'observe'; url: string; maxMs: number; durationMs: number; intervalMs: number };

export interface DeployPlan {
  version: 1;
  ticket: { id: string; title: string; url?: string };
  app: string;
  ref: string;
  image: string;
  createdAt: string;
  emergency: EmergencyBypass | null;
  preChecks: PreCheck[];
  deploy: { request: DeployRequest; command: string[] };
  postChecks: PostCheck[];
  rollback: { image: string; version: number; request: DeployRequest; command: string[] };
}

export interface CheckResult {
  kind: PreCheck['kind'] | PostCheck['kind'];
  ok: boolean;
  /** One line for humans. */
  summary: string;
  /** A machine-readable reason when not ok, e.g. `health_failed`. */
  code?: string;
}

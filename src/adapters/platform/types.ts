/**
 * The platform apps run on. Implementation: Fly.io through the flyctl binary.
 * Rollback is a deploy of the image that was live before, so there is one deploy path.
 */

export interface MachineCheck {
  name: string;
  /** passing | warning | critical */
  status: string;
  output?: string;
}

export interface Machine {
  id: string;
  state: string;
  region?: string;
  /** Full image reference the machine runs (`config.image`). */
  image?: string;
  releaseVersion?: number;
  processGroup?: string;
  /** ok | unknown | unreachable */
  hostStatus?: string;
  isStandby: boolean;
  /** Results; empty when none reported yet. */
  checks: MachineCheck[];
  /** How many checks the machine's config declares (top-level + service checks). */
  checksConfigured: number;
}

export interface AppStatus {
  app: string;
  deployed: boolean;
  /** Current release version; 0 when none. */
  version: number;
  hostname?: string;
  machines: Machine[];
}

export interface Release {
  id: string;
  version: number;
  /** complete | failed | running | interrupted | pending */
  status: string;
  imageRef: string;
  createdAt: Date;
  user?: string;
}

export interface DeployRequest {
  app: string;
  image: string;
  strategy: 'rolling' | 'canary' | 'bluegreen' | 'immediate';
  waitTimeoutMs: number;
  /** Non-secret feature flags staged with the release (`--env NAME=VALUE`). */
  env: Record<string, string>;
}

export interface DeployResult {
  releaseId?: string;
  version?: number;
  imageRef?: string;
  durationMs: number;
}

export interface LogEntry {
  timestamp: Date;
  level: string;
  message: string;
  instance?: string;
  region?: string;
}

export interface Platform {
  readonly kind: 'fly';
  status(app: string, signal?: AbortSignal): Promise<AppStatus>;
  /** Newest first. */
  releases(app: string, signal?: AbortSignal): Promise<Release[]>;
  /** Names only; values are never readable. */
  secretNames(app: string, signal?: AbortSignal): Promise<string[]>;
  /**
   * Run a deploy and wait for the platform to finish it. Not cancellable by design: stopping a
   * deploy half way leaves machines on mixed images, so shutdown lets it finish or the process
   * is killed and reconciliation takes over. Throws FlyCommandError / TimeoutError on failure.
   */
  deploy(request: DeployRequest): Promise<DeployResult>;
  /** The most recent log lines (up to `limit`), oldest first. */
  recentLogs(app: string, limit: number, signal?: AbortSignal): Promise<LogEntry[]>;
  /** The exact command `deploy(request)` runs, for plans and messages. */
  describeDeploy(request: DeployRequest): string[];
}

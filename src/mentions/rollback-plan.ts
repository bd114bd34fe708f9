import type { AppConfig } from '../config/normalise.js';
import type { DeployRequest, Release } from '../adapters/platform/types.js';
import type { DeployPlan, PostCheck } from '../plan/types.js';

/** A release of an app: the image and Fly's version number. */
export interface ReleaseRef {
  image: string;
  version: number;
}

/** The newest complete release before `current` that runs a different image (Fly lists newest first). */
export function previousRelease(current: ReleaseRef, releases: readonly Release[]): ReleaseRef | undefined {
  const found = releases.find((r) => r.status === 'complete' && r.imageRef && r.imageRef !== current.image && r.version < current.version);
  return found && { image: found.imageRef, version: found.version };
}

export function rollbackTicketId(app: string): string {
  return `rollback:${app}`;
}

/**
 * Pure: a rollback asked for in chat, as an ordinary deploy plan of the previous image, so the
 * deployment state machine drives it, verifies it and — should the old release not prove
 * healthy — returns to what runs now. Restoring service comes first: no deploy window check, no
 * "app healthy" check (it is usually why someone asks), all machines at once.
 */
export function buildRollbackPlan(input: {
  app: AppConfig;
  from: ReleaseRef;
  to: ReleaseRef;
  requestedBy: string;
  now: Date;
  describeDeploy: (request: DeployRequest) => string[];
}): DeployPlan {
  const { app, from, to } = input;
  const deploy: DeployRequest = { app: app.name, image: to.image, strategy: 'immediate', waitTimeoutMs: app.waitTimeoutMs, env: {} };
  const back: DeployRequest = { ...deploy, image: from.image };
  const postChecks: PostCheck[] = [
    { kind: 'machines', app: app.name, processGroup: app.processGroup, image: to.image },
    { kind: 'health', url: app.health.url, maxMs: app.health.maxMs },
    ...app.smoke.map((s): PostCheck => ({ kind: 'smoke', url: `${app.baseUrl.replace(/\/+$/, '')}${s.path}`, status: s.status, maxMs: s.maxMs })),
    { kind: 'log_scan', app: app.name, lines: app.logScanLines },
  ];
  return {
    version: 1,
    ticket: { id: rollbackTicketId(app.name), title: `rollback of ${app.name} to v${to.version}, asked by ${input.requestedBy}` },
    app: app.name,
    ref: to.image.split(':').at(-1) ?? to.image,
    image: to.image,
    createdAt: input.now.toISOString(),
    emergency: null,
    preChecks: [{ kind: 'rollback_target', app: app.name, image: from.image, version: from.version }],
    deploy: { request: deploy, command: ['fly', ...input.describeDeploy(deploy)] },
    postChecks,
    rollback: { image: from.image, version: from.version, request: back, command: ['fly', ...input.describeDeploy(back)] },
  };
}

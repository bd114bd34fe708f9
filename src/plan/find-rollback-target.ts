import type { AppStatus, Release } from '../adapters/platform/types.js';

export type RollbackTarget = { ok: true; image: string; version: number } | { ok: false; why: string };

/**
 * The image to return to if the deploy fails: what the app's serving machines run now, when they
 * agree; with no machines, the newest complete release. Machines on mixed images mean an earlier
 * deploy did not finish — there is no trustworthy target, so there is no deploy.
 */
export function findRollbackTarget(status: AppStatus, releases: readonly Release[], processGroup: string): RollbackTarget {
  const serving = status.machines.filter(
    (m) => !m.isStandby && (m.processGroup ?? processGroup) === processGroup && m.image && m.state !== 'destroyed',
  );
  // Sorted: the hold message quoting them stays the same from one heartbeat to the next.
  const images = [...new Set(serving.map((m) => m.image!))].sort();
  if (images.length > 1) {
    return { ok: false, why: `the ${processGroup} machines run different images (${images.join(', ')}); an earlier deploy did not finish` };
  }
  if (images.length === 1) {
    const version = serving.find((m) => m.releaseVersion !== undefined)?.releaseVersion ?? status.version;
    return { ok: true, image: images[0]!, version };
  }
  const complete = releases.find((r) => r.status === 'complete' && r.imageRef);
  if (complete) return { ok: true, image: complete.imageRef, version: complete.version };
  return { ok: false, why: 'the app has no running machines and no complete release' };
}

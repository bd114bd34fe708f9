import { randomBytes } from 'node:crypto';

/** `hb-20261125T0700Z-3f9c2e`: sortable by time, unique enough across daemons. */
export function newHeartbeatId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 13);
  return `hb-${stamp}Z-${randomBytes(3).toString('hex')}`;
}

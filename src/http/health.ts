/** The dead man's switch: unhealthy when the last heartbeat is older than two intervals. */
export interface HealthState {
  startedAt: Date;
  intervalMs: number;
  role: 'leader' | 'standby';
  /** When the last heartbeat finished (leader), or the last time leadership was checked (standby). */
  lastBeatAt: Date | undefined;
}

export function healthOf(state: HealthState, now: Date): { ok: boolean; body: Record<string, unknown> } {
  const maxAgeMs = 2 * state.intervalMs;
  // Right after start-up the clock starts at boot, so a long outage does not fail the first check.
  const reference = new Date(Math.max(state.lastBeatAt?.getTime() ?? 0, state.startedAt.getTime()));
  const ageMs = now.getTime() - reference.getTime();
  const ok = ageMs <= maxAgeMs;
  return {
    ok,
    body: {
      ok,
      role: state.role,
      lastHeartbeatAt: state.lastBeatAt?.toISOString() ?? null,
      ageMs,
      maxAgeMs,
      ...(ok ? {} : { problem: `no heartbeat for ${Math.round(ageMs / 1000)} s (limit ${Math.round(maxAgeMs / 1000)} s)` }),
    },
  };
}

import { describe, expect, it } from 'vitest';
import { healthOf, type HealthState } from '../../src/http/health.js';

const NOW = new Date('2026-11-25T09:00:00Z');
const MINUTE = 60_000;
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

function state(overrides: Partial<HealthState> = {}): HealthState {
  return { startedAt: ago(24 * 60 * MINUTE), intervalMs: 15 * MINUTE, role: 'leader', lastBeatAt: ago(MINUTE), ...overrides };
}

describe('healthOf', () => {
  it('is ok right after a heartbeat', () => {
    expect(healthOf(state(), NOW)).toEqual({
      ok: true,
      body: { ok: true, role: 'leader', lastHeartbeatAt: '2026-11-25T08:59:00.000Z', ageMs: MINUTE, maxAgeMs: 30 * MINUTE },
    });
  });

  it('is still ok at exactly two intervals', () => {
    expect(healthOf(state({ lastBeatAt: ago(30 * MINUTE) }), NOW).ok).toBe(true);
  });

  it('fails when the last heartbeat is older than two intervals, and says how old', () => {
    expect(healthOf(state({ lastBeatAt: ago(31 * MINUTE) }), NOW)).toEqual({
      ok: false,
      body: {
        ok: false,
        role: 'leader',
        lastHeartbeatAt: '2026-11-25T08:29:00.000Z',
        ageMs: 31 * MINUTE,
        maxAgeMs: 30 * MINUTE,
        problem: 'no heartbeat for 1860 s (limit 1800 s)',
      },
    });
  });

  it('counts from start-up when the last heartbeat is older than the process', () => {
    const justStarted = state({ startedAt: ago(2 * MINUTE), lastBeatAt: ago(3 * 60 * MINUTE) });
    expect(healthOf(justStarted, NOW)).toEqual({
      ok: true,
      body: { ok: true, role: 'leader', lastHeartbeatAt: '2026-11-25T06:00:00.000Z', ageMs: 2 * MINUTE, maxAgeMs: 30 * MINUTE },
    });
    const stuckSinceStart = state({ startedAt: ago(40 * MINUTE), lastBeatAt: ago(3 * 60 * MINUTE) });
    expect(healthOf(stuckSinceStart, NOW)).toMatchObject({ ok: false, body: { ageMs: 40 * MINUTE, problem: 'no heartbeat for 2400 s (limit 1800 s)' } });
  });

  it('counts from start-up when there has never been a heartbeat', () => {
    expect(healthOf(state({ startedAt: ago(5 * MINUTE), lastBeatAt: undefined }), NOW)).toEqual({
      ok: true,
      body: { ok: true, role: 'leader', lastHeartbeatAt: null, ageMs: 5 * MINUTE, maxAgeMs: 30 * MINUTE },
    });
    expect(healthOf(state({ startedAt: ago(45 * MINUTE), lastBeatAt: undefined }), NOW)).toMatchObject({
      ok: false,
      body: { lastHeartbeatAt: null, problem: 'no heartbeat for 2700 s (limit 1800 s)' },
    });
  });

  it('reports a standby daemon by its last leadership check', () => {
    expect(healthOf(state({ role: 'standby', lastBeatAt: ago(10 * MINUTE) }), NOW)).toEqual({
      ok: true,
      body: { ok: true, role: 'standby', lastHeartbeatAt: '2026-11-25T08:50:00.000Z', ageMs: 10 * MINUTE, maxAgeMs: 30 * MINUTE },
    });
    expect(healthOf(state({ role: 'standby', lastBeatAt: ago(60 * MINUTE) }), NOW)).toMatchObject({ ok: false, body: { role: 'standby' } });
  });

  it('scales the limit with the interval', () => {
    const hourly = state({ intervalMs: 60 * MINUTE, lastBeatAt: ago(90 * MINUTE) });
    expect(healthOf(hourly, NOW)).toMatchObject({ ok: true, body: { maxAgeMs: 120 * MINUTE } });
  });
});

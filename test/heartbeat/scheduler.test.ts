import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HeartbeatTrigger } from '../../src/heartbeat/ledger.js';
import { Scheduler, scheduleIntervalMs } from '../../src/heartbeat/scheduler.js';
import { captureLogs } from '../helpers/capture-logs.js';

/** A promise the test settles by hand. */
function gate(): { promise: Promise<void>; open: () => void; fail: (err: Error) => void } {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let scheduler: Scheduler | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await scheduler?.stop();
  scheduler = undefined;
});

describe('Scheduler', () => {
  it('runs a heartbeat on demand and resolves when it ends', async () => {
    const logs = captureLogs();
    const beats: HeartbeatTrigger[] = [];
    scheduler = new Scheduler({ schedule: '*/15 * * * *', timezone: 'UTC', log: logs.logger, beat: async (t) => void beats.push(t) });
    expect(await scheduler.trigger('manual')).toBe('ran');
    expect(await scheduler.trigger('webhook')).toBe('ran');
    expect(beats).toEqual(['manual', 'webhook']);
    expect(scheduler.busy).toBe(false);
    expect(logs.lines).toEqual([]);
  });

  it('skips a trigger while a heartbeat runs, with one warn line naming the trigger', async () => {
    const logs = captureLogs();
    const running = gate();
    const beats: HeartbeatTrigger[] = [];
    scheduler = new Scheduler({
      schedule: '*/15 * * * *',
      timezone: 'UTC',
      log: logs.logger,
      beat: async (t) => {
        beats.push(t);
        await running.promise;
      },
    });
    const first = scheduler.trigger('startup');
    expect(scheduler.busy).toBe(true);
    expect(await scheduler.trigger('schedule')).toBe('skipped');
    expect(beats).toEqual(['startup']);
    expect(logs.lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'heartbeat still running; tick skipped', trigger: 'schedule' }),
    ]);
    running.open();
    expect(await first).toBe('ran');
    expect(scheduler.busy).toBe(false);
    expect(await scheduler.trigger('schedule')).toBe('ran');
    expect(beats).toEqual(['startup', 'schedule']);
  });

  it('logs a failing heartbeat and keeps taking triggers', async () => {
    const logs = captureLogs();
    let calls = 0;
    scheduler = new Scheduler({
      schedule: '*/15 * * * *',
      timezone: 'UTC',
      log: logs.logger,
      beat: async () => {
        calls += 1;
        if (calls === 1) throw new Error('the ledger is unreachable');
      },
    });
    expect(await scheduler.trigger('schedule')).toBe('ran');
    expect(logs.lines).toEqual([
      expect.objectContaining({ level: 'error', msg: 'heartbeat could not run', err: expect.objectContaining({ message: 'the ledger is unreachable' }) }),
    ]);
    expect(scheduler.busy).toBe(false);
    expect(await scheduler.trigger('schedule')).toBe('ran');
    expect(calls).toBe(2);
  });

  it('waits for the running heartbeat when stopped', async () => {
    const logs = captureLogs();
    const running = gate();
    let finished = false;
    scheduler = new Scheduler({
      schedule: '*/15 * * * *',
      timezone: 'UTC',
      log: logs.logger,
      beat: async () => {
        await running.promise;
        finished = true;
      },
    });
    scheduler.start();
    void scheduler.trigger('startup');
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    running.open();
    await stopping;
    expect(finished).toBe(true);
    expect(scheduler.busy).toBe(false);
  });

  it('triggers heartbeats on its cron schedule until stopped', async () => {
    const logs = captureLogs();
    const beats: HeartbeatTrigger[] = [];
    const ticked = gate();
    scheduler = new Scheduler({
      schedule: '* * * * * *',
      timezone: 'UTC',
      log: logs.logger,
      beat: async (t) => {
        beats.push(t);
        ticked.open();
      },
    });
    scheduler.start();
    await ticked.promise;
    await scheduler.stop();
    const count = beats.length;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(beats.length).toBe(count);
    expect(new Set(beats)).toEqual(new Set(['schedule']));
  });
});

describe('scheduleIntervalMs', () => {
  function at(iso: string): void {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(iso));
  }

  it('is 15 minutes for the default schedule', () => {
    at('2026-11-25T09:07:00Z');
    expect(scheduleIntervalMs('*/15 * * * *', 'UTC')).toBe(15 * MINUTE);
  });

  it('is an hour for an hourly schedule', () => {
    at('2026-11-25T09:07:00Z');
    expect(scheduleIntervalMs('0 * * * *', 'UTC')).toBe(HOUR);
    expect(scheduleIntervalMs('30 * * * *', 'Asia/Kolkata')).toBe(HOUR);
  });

  it('is a day for a daily schedule in a time zone, and the longer day across a clock change', () => {
    at('2026-11-25T09:07:00Z');
    expect(scheduleIntervalMs('30 6 * * *', 'Europe/Berlin')).toBe(DAY);
    // Berlin's clocks go back on 2026-10-25: that day lasts 25 hours.
    at('2026-10-20T00:00:00Z');
    expect(scheduleIntervalMs('30 6 * * *', 'Europe/Berlin')).toBe(25 * HOUR);
  });

  it('covers the pause of a weekdays-only schedule, whatever day it is asked on', () => {
    // Wednesday: the next two runs are a day apart, but Friday to Monday is three days.
    at('2026-11-25T12:00:00Z');
    expect(scheduleIntervalMs('0 9 * * mon-fri', 'Europe/Berlin')).toBe(3 * DAY);
    expect(scheduleIntervalMs('*/15 9-17 * * 1-5', 'UTC')).toBe(3 * DAY - 8 * HOUR - 45 * MINUTE);
  });
});

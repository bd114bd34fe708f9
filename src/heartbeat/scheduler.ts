import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logging/logger.js';
import type { HeartbeatTrigger } from './ledger.js';

export interface SchedulerOptions {
  schedule: string;
  timezone: string;
  log: Logger;
  /** One heartbeat (or a standby check). */
  beat: (trigger: HeartbeatTrigger) => Promise<void>;
}

/**
 * Runs heartbeats on the cron schedule and on demand, never two at once: a tick that comes while
 * a heartbeat is still running is skipped and logged.
 */
export class Scheduler {
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    this.task = cron.createTask(this.options.schedule, () => void this.trigger('schedule'), {
      timezone: this.options.timezone,
      name: 'heartbeat',
    });
    void this.task.start();
  }

  /** Start a heartbeat now unless one is running. Resolves when it ends; 'skipped' when one was running. */
  async trigger(trigger: HeartbeatTrigger): Promise<'ran' | 'skipped'> {
    if (this.running) {
      this.options.log.warn({ trigger }, 'heartbeat still running; tick skipped');
      return 'skipped';
    }
    this.running = this.options
      .beat(trigger)
      .catch((err: unknown) => this.options.log.error({ err }, 'heartbeat could not run'))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
    return 'ran';
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The longest wait between two scheduled heartbeats (see scheduleIntervalMs). */
  intervalMs(): number {
    return scheduleIntervalMs(this.options.schedule, this.options.timezone);
  }

  /** Stop scheduling and wait for a running heartbeat to end. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
  }
}

const HORIZON_MS = 8 * 86_400_000;
/** Every minute for eight days. */
const MAX_RUNS = 11_521;

/**
 * The longest gap between two scheduled heartbeats over the next eight days. Not just the next
 * gap: with a schedule that pauses (weekdays only, office hours) the dead man's switch would
 * otherwise fire through every pause.
 */
export function scheduleIntervalMs(schedule: string, timezone: string): number {
  const probe = cron.createTask(schedule, () => undefined, { timezone });
  try {
    let count = 2;
    for (;;) {
      const runs = probe.getNextRuns(count).map((d) => d.getTime());
      const span = runs.length > 1 ? runs[runs.length - 1]! - runs[0]! : 0;
      if (span <= 0) return 15 * 60_000;
      if (span >= HORIZON_MS || count >= MAX_RUNS) return Math.max(...runs.slice(1).map((t, i) => t - runs[i]!));
      const perRun = span / (count - 1);
      count = Math.min(MAX_RUNS, Math.max(count * 2, Math.ceil(HORIZON_MS / perRun) + 1));
    }
  } finally {
    void probe.destroy();
  }
}

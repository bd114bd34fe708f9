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

  /** Milliseconds between two scheduled heartbeats (from the next two occurrences). */
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

export function scheduleIntervalMs(schedule: string, timezone: string): number {
  const probe = cron.createTask(schedule, () => undefined, { timezone });
  try {
    const [a, b] = probe.getNextRuns(2);
    return a && b ? b.getTime() - a.getTime() : 15 * 60_000;
  } finally {
    void probe.destroy();
  }
}

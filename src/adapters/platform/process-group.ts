/**
 * The process group of one detached child (its pgid is its pid). execa 9 signals only the
 * leader on timeout or cancel; signalling the negative pid reaches every process the child
 * started too, unless one moved itself to a group of its own (flyctl's agent does, by design).
 */
export class ProcessGroup {
  private killTimer: NodeJS.Timeout | undefined;
  private killed: Promise<void> | undefined;

  constructor(
    private readonly pid: number,
    private readonly graceMs: number,
  ) {}

  get terminating(): boolean {
    return this.killed !== undefined;
  }

  /** SIGTERM the whole group now and SIGKILL it after the grace period. Idempotent. */
  terminate(): void {
    if (this.killed) return;
    signalGroup(this.pid, 'SIGTERM');
    this.killed = new Promise((resolve) => {
      this.killTimer = setTimeout(() => {
        signalGroup(this.pid, 'SIGKILL');
        resolve();
      }, this.graceMs);
    });
  }

  /**
   * Call once the leader has exited. After a terminate, waits for the SIGKILL only while some
   * member of the group is still alive, so a caller never sees a timeout before the tree is gone.
   */
  async settle(): Promise<void> {
    if (!this.killed) return;
    if (isGroupAlive(this.pid)) {
      await this.killed;
      return;
    }
    clearTimeout(this.killTimer);
  }

  /** Synchronous last resort, for `process.on('exit')`. */
  killNow(): void {
    signalGroup(this.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is the goal.
  }
}

function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

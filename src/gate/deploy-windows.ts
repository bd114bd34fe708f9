import type { DeployWindow } from '../config/normalise.js';

/**
 * Deploy windows: recurring, in a named time zone. No windows configured means always open.
 * A window "from" after "to" wraps past midnight and belongs to the day it starts on.
 */

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** "mon-fri", "sat,sun", "mon-wed,fri", "daily" → set of day indexes (0 = Sunday). Undefined when malformed. */
export function parseDays(text: string): Set<number> | undefined {
  const days = new Set<number>();
  const spec = text.trim().toLowerCase();
  if (spec === 'daily' || spec === 'all' || spec === '*') return new Set([0, 1, 2, 3, 4, 5, 6]);
  for (const part of spec.split(',').map((p) => p.trim())) {
    const [from, to, extra] = part.split('-').map((p) => p.trim());
    if (extra !== undefined || !from) return undefined;
    const start = DAY_NAMES.indexOf(from as (typeof DAY_NAMES)[number]);
    const end = to === undefined ? start : DAY_NAMES.indexOf(to as (typeof DAY_NAMES)[number]);
    if (start < 0 || end < 0) return undefined;
    for (let d = start; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === end) break;
    }
  }
  return days;
}

interface LocalTime {
  day: number;
  minutes: number;
}

function localTime(at: Date, tz: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAY_NAMES.indexOf(get('weekday').toLowerCase().slice(0, 3) as (typeof DAY_NAMES)[number]);
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function isInWindow(window: DeployWindow, at: Date): boolean {
  const days = parseDays(window.days);
  if (!days) return false;
  const now = localTime(at, window.tz);
  const from = toMinutes(window.from);
  const to = toMinutes(window.to);
  if (from < to) return days.has(now.day) && now.minutes >= from && now.minutes < to;
  // Wraps past midnight: the evening part on a listed day, the morning part on the day after.
  const yesterday = (now.day + 6) % 7;
  return (days.has(now.day) && now.minutes >= from) || (days.has(yesterday) && now.minutes < to);
}

/** True when no windows are configured or `at` falls in one of them. */
export function isDeployWindowOpen(windows: readonly DeployWindow[], at: Date): boolean {
  return windows.length === 0 || windows.some((w) => isInWindow(w, at));
}

export function describeWindows(windows: readonly DeployWindow[]): string {
  if (windows.length === 0) return 'always open';
  return windows.map((w) => `${w.days} ${w.from}–${w.to} ${w.tz}`).join('; ');
}

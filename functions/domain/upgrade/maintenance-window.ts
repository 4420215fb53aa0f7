/**
 * Maintenance windows: when the service may start an upgrade on its own (spec
 * maintenance.window), written the way people say them: "sat 02:00-06:00 UTC",
 * "mon-fri 22:00-02:00 UTC", "sat,sun 01:00-05:00 UTC". The days are the days a window STARTS;
 * an end at or before the start runs past midnight into the next day. Only UTC for now: a named
 * zone needs a time-zone database and its daylight-saving rules, and a window that silently
 * shifts by an hour twice a year is worse than one that must be written in UTC.
 */

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

export interface MaintenanceWindow {
  /** The days the window starts on, Monday first, each once. */
  days: Day[];
  /** Minutes after midnight UTC. */
  startMinute: number;
  /** How long the window lasts, in minutes (1 to 1440). */
  durationMinutes: number;
  zone: 'UTC';
}

export type WindowParse = { window: MaintenanceWindow; problem?: undefined } | { window?: undefined; problem: string };

const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;
const MS_PER_WEEK = 7 * MINUTES_PER_DAY * MS_PER_MINUTE;
const EXAMPLE = 'e.g. "sat 02:00-06:00 UTC", "mon-fri 22:00-02:00 UTC" or "sat,sun 01:00-05:00 UTC"';

/** Parses a window, or says in one sentence what is wrong with it. */
export function parseMaintenanceWindow(text: string): WindowParse {
  const parts = text.trim().split(/\s+/);
  if (parts.length === 2 && /^\d/.test(parts[1] ?? '')) return { problem: `names no time zone: write it in UTC, ${EXAMPLE}` };
  if (parts.length !== 3) return { problem: `must be "<days> <HH:MM>-<HH:MM> UTC", ${EXAMPLE}` };
  const [daysText, timesText, zone] = parts as [string, string, string];
  if (zone.toUpperCase() !== 'UTC') return { problem: `time zone ${zone} is not supported: only UTC for now, so convert the times to UTC (${EXAMPLE})` };
  const days = parseDays(daysText.toLowerCase());
  if (typeof days === 'string') return { problem: days };
  const times = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(timesText);
  if (!times) return { problem: `times ${JSON.stringify(timesText)} must be HH:MM-HH:MM in 24-hour time, ${EXAMPLE}` };
  const start = minuteOfDay(Number(times[1]), Number(times[2]), false);
  const end = minuteOfDay(Number(times[3]), Number(times[4]), true);
  if (start === undefined) return { problem: `start ${times[1]}:${times[2]} is not a time of day (00:00 to 23:59)` };
  if (end === undefined) return { problem: `end ${times[3]}:${times[4]} is not a time of day (00:00 to 24:00)` };
  // An end at or before the start means the next day: 22:00-02:00 lasts four hours, 02:00-02:00 a whole day.
  const durationMinutes = end > start ? end - start : end + MINUTES_PER_DAY - start;
  return { window: { days, startMinute: start, durationMinutes, zone: 'UTC' } };
}

/** True when `at` falls inside an occurrence of the window (start included, end excluded). */
export function isInWindow(window: MaintenanceWindow, at: Date): boolean {
  const now = msIntoWeek(at);
  return window.days.some((day) => mod(now - startMsIntoWeek(window, day), MS_PER_WEEK) < window.durationMinutes * MS_PER_MINUTE);
}

/** The first start of the window at or after `after`. */
export function nextWindowStart(window: MaintenanceWindow, after: Date): Date {
  const now = msIntoWeek(after);
  const wait = Math.min(...window.days.map((day) => mod(startMsIntoWeek(window, day) - now, MS_PER_WEEK)));
  return new Date(after.getTime() + wait);
}

/** "sat", "mon-fri", "fri-mon" (wrapping the week), "sat,sun", "mon-wed,fri". */
function parseDays(text: string): Day[] | string {
  const chosen = new Set<number>();
  for (const item of text.split(',')) {
    const range = item.split('-');
    const indexes = range.map((name) => DAYS.indexOf(name as Day));
    if (range.length > 2 || indexes.some((i) => i < 0)) return `days ${JSON.stringify(text)} must be mon, tue, wed, thu, fri, sat or sun, a range such as mon-fri, or a list such as sat,sun`;
    const [first, last = first] = indexes as [number, number?];
    for (let i = first; ; i = (i + 1) % DAYS.length) {
      chosen.add(i);
      if (i === last) break;
    }
  }
  return [...chosen].sort((a, b) => a - b).map((i) => DAYS[i] as Day);
}

/** 24:00 is allowed only as an end: the end of the day. */
function minuteOfDay(hour: number, minute: number, isEnd: boolean): number | undefined {
  if (isEnd && hour === 24 && minute === 0) return MINUTES_PER_DAY;
  return hour < 24 && minute < 60 ? hour * 60 + minute : undefined;
}

/** Milliseconds since the start of the UTC week (Monday 00:00) that holds `at`. */
function msIntoWeek(at: Date): number {
  const mondayFirst = (at.getUTCDay() + 6) % 7;
  return mondayFirst * MINUTES_PER_DAY * MS_PER_MINUTE + (at.getTime() - Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function startMsIntoWeek(window: MaintenanceWindow, day: Day): number {
  return (DAYS.indexOf(day) * MINUTES_PER_DAY + window.startMinute) * MS_PER_MINUTE;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

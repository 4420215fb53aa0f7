/**
 * Scheduler's schedule expressions: `at(yyyy-mm-ddThh:mm:ss)` in the schedule's time zone,
 * `rate(n minutes|hours|days)` and `cron(...)` (validated, never fired), parsed or refused with
 * Scheduler's ValidationException.
 */
import { EmulatorError } from '../../protocol';

export type ParsedExpression = { kind: 'at'; at: Date } | { kind: 'rate'; seconds: number } | { kind: 'cron' };

const RATE_UNITS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** How far `zone`'s wall clock is ahead of UTC at the instant `utcMs`. */
function zoneOffsetMs(utcMs: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(utcMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** The instant a wall-clock time in `zone` names (the later offset wins across a DST change). */
function wallTimeToUtc(wallMs: number, zone: string): Date {
  const first = wallMs - zoneOffsetMs(wallMs, zone);
  return new Date(wallMs - zoneOffsetMs(first, zone));
}

function cronFieldsValid(fields: string[]): boolean {
  if (fields.length !== 6) return false;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  // Scheduler, like EventBridge, wants exactly one of day-of-month and day-of-week to be `?`.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return false;
  return fields.every((field) => /^[0-9A-Za-z*?,/#LW-]+$/.test(field));
}

/** Parses an at/rate/cron expression, or throws Scheduler's ValidationException. */
export function parseScheduleExpression(expression: string, timeZone = 'UTC'): ParsedExpression {
  const invalid = () => new EmulatorError(400, 'ValidationException', `Invalid Schedule Expression ${expression}`);
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const check = new Date(wall);
    // Date.UTC rolls 2026-02-30 over into March: a real calendar date reads back unchanged.
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw invalid();
    return { kind: 'at', at: wallTimeToUtc(wall, timeZone) };
  }
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (!(value >= 1)) throw invalid();
    return { kind: 'rate', seconds: value * RATE_UNITS[rate[2]!]! };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron && cronFieldsValid(cron[1]!.trim().split(/\s+/))) return { kind: 'cron' };
  throw invalid();
}

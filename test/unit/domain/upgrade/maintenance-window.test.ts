import { isInWindow, nextWindowStart, parseMaintenanceWindow, type MaintenanceWindow } from '../../../../functions/domain/upgrade/maintenance-window';

function window(text: string): MaintenanceWindow {
  const parsed = parseMaintenanceWindow(text);
  if (!parsed.window) throw new Error(`${text}: ${parsed.problem}`);
  return parsed.window;
}

// 2026-12-05 is a Saturday.
const at = (iso: string) => new Date(iso);

describe('parseMaintenanceWindow', () => {
  test('one day, a range of days, a list, and a mix', () => {
    expect(window('sat 02:00-06:00 UTC')).toEqual({ days: ['sat'], startMinute: 120, durationMinutes: 240, zone: 'UTC' });
    expect(window('mon-fri 22:00-02:00 UTC').days).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);
    expect(window('sat,sun 01:00-05:00 UTC').days).toEqual(['sat', 'sun']);
    expect(window('mon-wed,fri 01:00-05:00 UTC').days).toEqual(['mon', 'tue', 'wed', 'fri']);
    expect(window('fri-mon 01:00-05:00 UTC').days).toEqual(['mon', 'fri', 'sat', 'sun']);
    expect(window('SAT 02:00-06:00 utc').days).toEqual(['sat']);
  });

  test('an end before the start runs past midnight; 24:00 ends the day', () => {
    expect(window('fri 22:00-02:00 UTC').durationMinutes).toBe(240);
    expect(window('sun 20:00-24:00 UTC').durationMinutes).toBe(240);
    expect(window('sun 03:00-03:00 UTC').durationMinutes).toBe(24 * 60);
  });

  test.each([
    ['sat 02:00-06:00 Europe/Paris', 'time zone Europe/Paris is not supported: only UTC for now'],
    ['sat 02:00-06:00', 'names no time zone'],
    ['saturday 02:00-06:00 UTC', 'must be mon, tue, wed, thu, fri, sat or sun'],
    ['mon-wed-fri 02:00-06:00 UTC', 'must be mon, tue, wed, thu, fri, sat or sun'],
    ['sat 2:00-6:00 UTC', 'must be HH:MM-HH:MM in 24-hour time'],
    ['sat 25:00-06:00 UTC', 'start 25:00 is not a time of day'],
    ['sat 02:00-06:60 UTC', 'end 06:60 is not a time of day'],
    ['sat 24:00-06:00 UTC', 'start 24:00 is not a time of day'],
    ['whenever', 'must be "<days> <HH:MM>-<HH:MM> UTC"'],
  ])('%s is refused: %s', (text, problem) => {
    expect(parseMaintenanceWindow(text).problem).toContain(problem);
  });
});

describe('isInWindow', () => {
  const saturday = window('sat 02:00-06:00 UTC');

  test('inside from its start, outside from its end', () => {
    expect(isInWindow(saturday, at('2026-12-05T02:00:00Z'))).toBe(true);
    expect(isInWindow(saturday, at('2026-12-05T05:59:59Z'))).toBe(true);
    expect(isInWindow(saturday, at('2026-12-05T06:00:00Z'))).toBe(false);
    expect(isInWindow(saturday, at('2026-12-05T01:59:59Z'))).toBe(false);
    expect(isInWindow(saturday, at('2026-12-06T03:00:00Z'))).toBe(false);
  });

  test('a window past midnight covers the next morning, including Sunday night into Monday', () => {
    const nights = window('fri,sun 22:00-02:00 UTC');
    expect(isInWindow(nights, at('2026-12-05T01:00:00Z'))).toBe(true); // Saturday 01:00, Friday's window
    expect(isInWindow(nights, at('2026-12-07T01:30:00Z'))).toBe(true); // Monday 01:30, Sunday's window
    expect(isInWindow(nights, at('2026-12-06T01:00:00Z'))).toBe(false); // Sunday 01:00: no Saturday window
  });
});

describe('nextWindowStart', () => {
  test('the next start at or after the given time, across the week boundary', () => {
    const saturday = window('sat 02:00-06:00 UTC');
    expect(nextWindowStart(saturday, at('2026-12-03T10:15:30Z')).toISOString()).toBe('2026-12-05T02:00:00.000Z');
    expect(nextWindowStart(saturday, at('2026-12-05T02:00:00Z')).toISOString()).toBe('2026-12-05T02:00:00.000Z');
    expect(nextWindowStart(saturday, at('2026-12-05T02:00:01Z')).toISOString()).toBe('2026-12-12T02:00:00.000Z');
  });

  test('the earliest of several days', () => {
    const weekdays = window('mon-fri 22:00-02:00 UTC');
    expect(nextWindowStart(weekdays, at('2026-12-05T12:00:00Z')).toISOString()).toBe('2026-12-07T22:00:00.000Z');
    expect(nextWindowStart(weekdays, at('2026-12-08T23:00:00Z')).toISOString()).toBe('2026-12-09T22:00:00.000Z');
  });
});

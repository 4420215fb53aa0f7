import { expiresAt, ttlMilliseconds } from '../../../functions/domain/expiry';

describe('ttl', () => {
  it('reads minutes, hours and days', () => {
    expect([ttlMilliseconds('30m'), ttlMilliseconds('72h'), ttlMilliseconds('7d')]).toEqual([1_800_000, 259_200_000, 604_800_000]);
  });

  it('refuses anything else', () => {
    expect(() => ttlMilliseconds('3w')).toThrow('ttl "3w" is not <number><m|h|d>');
  });

  it('counts the lifetime from the request', () => {
    expect(expiresAt('2026-11-21T10:00:00.000Z', '72h', new Date('2026-11-21T10:20:00Z')).toISOString()).toBe('2026-11-24T10:00:00.000Z');
  });

  it('never schedules in the past: a lifetime spent while provisioning expires a minute after it is ready', () => {
    expect(expiresAt('2026-11-21T10:00:00.000Z', '30m', new Date('2026-11-21T10:40:00Z')).toISOString()).toBe('2026-11-21T10:41:00.000Z');
  });
});

/**
 * The figures in POLL_SCHEDULES are tuned by the benchmark; these tests pin the behaviour around
 * them (never wait past readiness, no coarse wait under 30 s), not the figures themselves.
 */
import { addonPollKind, POLL_SCHEDULES, RETRY_ONLY_KINDS, coarseWaitSeconds, elapsedSeconds, firstWaitSeconds, type PolledKind } from '../../../functions/domain/poll-schedule';

const KINDS = Object.keys(POLL_SCHEDULES) as PolledKind[];

describe('firstWaitSeconds', () => {
  it.each(KINDS)('checks a %s first after its first-check time when the create call was quick', (kind) => {
    expect(firstWaitSeconds(kind)).toBe(POLL_SCHEDULES[kind].firstCheckSeconds);
  });

  const first = POLL_SCHEDULES.stack.firstCheckSeconds;
  it.each<[string, number, number]>([
    ['10 s', 10, first - 10],
    ['all but 0.6 s of it (rounded up to 1 s)', first - 0.6, 1],
    ['the whole first wait', first, 0],
    ['five minutes more than the first wait', first + 300, 0],
  ])('subtracts %s already spent from the first wait, never going below 0', (_, spent, expected) => {
    expect(firstWaitSeconds('stack', spent)).toBe(expected);
  });

  it.each(KINDS)('looks at a %s no later than it could be ready, to catch fast failures', (kind) => {
    expect(POLL_SCHEDULES[kind].firstCheckSeconds).toBeLessThanOrEqual(POLL_SCHEDULES[kind].earliestReadySeconds);
  });

  it('looks at a stack within two minutes, when template errors show', () => {
    expect(firstWaitSeconds('stack')).toBeLessThanOrEqual(120);
  });
});

describe('coarseWaitSeconds', () => {
  const cases = KINDS.flatMap((kind) => {
    const ready = POLL_SCHEDULES[kind].earliestReadySeconds;
    const rows: Array<[PolledKind, string, number, number]> = [
      [kind, 'when it could be ready', ready, 0],
      [kind, 'after it could be ready', ready + 600, 0],
      [kind, '29.5 s before it could be ready', ready - 29.5, 0],
      [kind, 'exactly 30 s before it could be ready', ready - 30, 30],
    ];
    if (ready >= 100) rows.push([kind, '100 s before it could be ready', ready - 100, 100]);
    return rows;
  });

  it.each(cases)('waits a %s checked %s for the remaining time or hands it to the ASL retry (0)', (kind, _, elapsed, expected) => {
    expect(coarseWaitSeconds(kind, elapsed)).toBe(expected);
  });

  it.each(KINDS)('never waits a %s coarsely for less than 30 s or past its earliest readiness', (kind) => {
    const ready = POLL_SCHEDULES[kind].earliestReadySeconds;
    for (let elapsed = 0; elapsed <= ready + 60; elapsed += 0.5) {
      const wait = coarseWaitSeconds(kind, elapsed);
      expect(wait === 0 || (wait >= 30 && elapsed + wait <= ready + 0.5)).toBe(true);
    }
  });

  it('waits a stack checked at its first check coarsely: a cluster takes minutes', () => {
    const wait = coarseWaitSeconds('stack', firstWaitSeconds('stack'));

    expect(wait).toBeGreaterThan(0);
  });
});

describe('elapsedSeconds', () => {
  const now = new Date('2026-11-21T10:05:00.000Z');

  it.each<[string, string | Date | undefined, number]>([
    ['no start time', undefined, 0],
    ['an ISO string five minutes ago', '2026-11-21T10:00:00.000Z', 300],
    ['a Date 1.5 s ago', new Date('2026-11-21T10:04:58.500Z'), 1.5],
    ['a start in the future (clock skew)', '2026-11-21T10:06:00.000Z', 0],
  ])('measures %s as %s s', (_, since, expected) => {
    expect(elapsedSeconds(since, now)).toBe(expected);
  });
});

describe('addonPollKind', () => {
  it.each([
    ['coredns', 'addonOnNodes'],
    ['aws-ebs-csi-driver', 'addonOnNodes'],
    ['vpc-cni', 'addon'],
    ['kube-proxy', 'addon'],
  ])('polls %s as %s', (name, kind) => {
    expect(addonPollKind(name)).toBe(kind);
  });

  it('never looks at a node-bound add-on before the first nodegroup can be ACTIVE', () => {
    expect(POLL_SCHEDULES.addonOnNodes.firstCheckSeconds).toBeGreaterThanOrEqual(POLL_SCHEDULES.nodegroup.earliestReadySeconds);
  });
});

describe('kinds polled only by retries (Map items)', () => {
  it.each(RETRY_ONLY_KINDS)('%s is first looked at no sooner than its earliest finish, so its check never needs a coarse wait', (kind) => {
    expect(POLL_SCHEDULES[kind].firstCheckSeconds).toBeGreaterThanOrEqual(POLL_SCHEDULES[kind].earliestReadySeconds);
    expect(coarseWaitSeconds(kind, POLL_SCHEDULES[kind].firstCheckSeconds)).toBe(0);
  });
});

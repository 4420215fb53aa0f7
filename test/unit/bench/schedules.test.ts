import { backoffPoll, criticalPath, eksctlSchedule, eksctlUpgradeSchedule, nextPoll, upgradeCriticalPath, type PhaseDurations, type UpgradeDurations } from '../../../bench/schedules';

const reference: PhaseDurations = {
  stack: 660,
  nodegroups: [200, 230],
  fargateProfiles: [250],
  addons: [
    { name: 'reference/vpc-cni', seconds: 40 },
    { name: 'reference/coredns', seconds: 30 },
  ],
  endpointUpdate: 360,
};

describe('criticalPath', () => {
  it('runs the stack, then the slowest of nodegroups, Fargate profiles and add-ons, then the endpoint update', () => {
    expect(criticalPath(reference)).toBe(660 + 250 + 360);
  });

  it('adds Fargate profiles up, since EKS creates one at a time', () => {
    expect(criticalPath({ ...reference, fargateProfiles: [150, 150] })).toBe(660 + 300 + 360);
  });

  it('holds coredns until the first nodes exist', () => {
    expect(criticalPath({ ...reference, nodegroups: [], fargateProfiles: [], addons: [{ name: 'x/coredns', seconds: 30 }] })).toBe(660 + 30 + 360);
    expect(criticalPath({ ...reference, nodegroups: [300], fargateProfiles: [], addons: [{ name: 'x/coredns', seconds: 30 }] })).toBe(660 + 300 + 360);
  });
});

describe('eksctl-style schedule', () => {
  it('notices each phase at its next poll and runs the phases in sequence', () => {
    // stack 660 → 660 (30 s polls); nodegroups 230 → 240; Fargate 250 → 300 (60 s polls); endpoint 360 → 450 (30, 60, 120, 120, 120).
    expect(eksctlSchedule(reference)).toBe(660 + 240 + 300 + 450);
  });

  it.each([
    [0, 30, 0],
    [1, 30, 30],
    [30, 30, 30],
    [31, 60, 60],
  ])('nextPoll(%i, %i) is %i', (seconds, interval, expected) => {
    expect(nextPoll(seconds, interval)).toBe(expected);
  });

  it.each([
    [10, 30],
    [30, 30],
    [31, 90],
    [200, 210],
    [360, 450],
  ])('a backing-off poll notices %i s at %i s', (seconds, expected) => {
    expect(backoffPoll(seconds)).toBe(expected);
  });
});

describe('upgrade schedules', () => {
  const upgrade: UpgradeDurations = { insightsRefresh: 40, controlPlanePasses: [560, 610], addons: [45, 70, 95], nodegroups: [480, 730] };

  it('runs the passes one after another, then the slower of the add-ons and the nodegroups', () => {
    expect(upgradeCriticalPath(upgrade)).toBe(560 + 610 + 730);
    expect(upgradeCriticalPath({ ...upgrade, nodegroups: [] })).toBe(560 + 610 + 95);
  });

  it('runs everything in sequence the eksctl way, each step noticed at its next 30 s poll', () => {
    expect(eksctlUpgradeSchedule(upgrade)).toBe(570 + 630 + 60 + 90 + 120 + 480 + 750);
  });
});

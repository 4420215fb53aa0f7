/** The running cluster's lifecycle settings in the spec: upgradePolicy, deletionProtection, zonalShift, maintenance. */
import { normaliseSpec } from '../../../functions/domain/spec';
import { InvalidSpecError, type SpecProblem } from '../../../functions/shared/errors';

const SPEC_DEFAULTS = { kubernetesVersions: ['1.31', '1.32', '1.33'], defaultKubernetesVersion: '1.33' };

function problemsOf(request: Record<string, unknown>): SpecProblem[] {
  try {
    normaliseSpec({ name: 'demo', ...request }, SPEC_DEFAULTS);
    return [];
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.problems;
    throw error;
  }
}

describe('lifecycle settings in the spec', () => {
  it('leaves upgradePolicy, zonalShift and maintenance absent when not asked (EKS defaults) and deletion protection off', () => {
    const spec = normaliseSpec({ name: 'demo' }, SPEC_DEFAULTS);

    expect(spec.deletionProtection).toBe(false);
    expect(spec).not.toHaveProperty('upgradePolicy');
    expect(spec).not.toHaveProperty('zonalShift');
    expect(spec).not.toHaveProperty('maintenance');
  });

  it('keeps what is asked, with autoUpgrade off unless said', () => {
    const spec = normaliseSpec({ name: 'demo', upgradePolicy: { supportType: 'STANDARD' }, deletionProtection: true, zonalShift: { enabled: true }, maintenance: { window: 'sat 02:00-06:00 UTC' } }, SPEC_DEFAULTS);

    expect(spec).toMatchObject({ upgradePolicy: { supportType: 'STANDARD' }, deletionProtection: true, zonalShift: { enabled: true }, maintenance: { autoUpgrade: false, window: 'sat 02:00-06:00 UTC' } });
  });

  it('normalises a normalised spec to itself', () => {
    const once = normaliseSpec({ name: 'demo', maintenance: { autoUpgrade: false, window: 'mon-fri 22:00-02:00 UTC' }, zonalShift: { enabled: false } }, SPEC_DEFAULTS);

    expect(normaliseSpec(once, SPEC_DEFAULTS)).toEqual(once);
  });

  it('keeps a valid window without auto-upgrades', () => {
    expect(problemsOf({ maintenance: { window: 'sat,sun 01:00-05:00 UTC' } })).toEqual([]);
  });

  it('refuses unattended upgrades without a window saying when they may start', () => {
    expect(problemsOf({ maintenance: { autoUpgrade: true } })).toEqual([{ pointer: '/maintenance/window', message: expect.stringContaining('autoUpgrade needs a window') }]);
  });

  it('takes unattended upgrades with a window', () => {
    expect(problemsOf({ maintenance: { autoUpgrade: true, window: 'sat,sun 01:00-05:00 UTC' } })).toEqual([]);
  });

  it.each([
    [{ maintenance: { window: 'sat 02:00-06:00 CET' } }, { pointer: '/maintenance/window', message: expect.stringContaining('time zone CET is not supported: only UTC for now') }],
    [{ maintenance: { window: 'sat 02:00-6 UTC' } }, { pointer: '/maintenance/window', message: expect.stringContaining('must be HH:MM-HH:MM') }],
    [{ zonalShift: {} }, { pointer: '/zonalShift/enabled', message: 'is required' }],
    [{ upgradePolicy: { supportType: 'EXTENDED', extra: 1 } }, { pointer: '/upgradePolicy/extra', message: 'is not a known field' }],
    [{ deletionProtection: 'yes' }, { pointer: '/deletionProtection', message: 'must be boolean' }],
  ])('refuses %j, naming the field', (request, problem) => {
    expect(problemsOf(request)).toEqual([problem]);
  });
});

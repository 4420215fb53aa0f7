import { ChangeRefusedError } from '../../../../functions/shared/errors';
import { compareMinors, minorsBetween, newestMinor, parseMinor, upgradePasses, upgradeRefusal } from '../../../../functions/domain/upgrade/versions';

describe('Kubernetes minor versions', () => {
  test('a minor such as 1.33 parses; patch versions, a v prefix and leading zeros do not', () => {
    expect(parseMinor('1.33')).toEqual({ major: 1, minor: 33 });
    expect(parseMinor('1.9')).toEqual({ major: 1, minor: 9 });
    for (const bad of ['1.33.2', 'v1.33', '1.033', '01.33', '1', '', 'latest']) expect(parseMinor(bad)).toBeUndefined();
  });

  test('minors compare as numbers, so 1.10 is newer than 1.9', () => {
    expect(compareMinors('1.10', '1.9')).toBeGreaterThan(0);
    expect(compareMinors('1.31', '1.33')).toBeLessThan(0);
    expect(compareMinors('1.33', '1.33')).toBe(0);
    expect(minorsBetween('1.30', '1.33')).toBe(3);
    expect(newestMinor(['1.9', '1.31', 'junk', '1.10'])).toBe('1.31');
  });

  test('comparing a malformed version is refused rather than sorted anywhere', () => {
    expect(() => compareMinors('1.33', 'latest')).toThrow(ChangeRefusedError);
  });
});

describe('upgradePasses', () => {
  test('the control plane moves one minor at a time, ending at the target', () => {
    expect(upgradePasses('1.31', '1.33')).toEqual(['1.32', '1.33']);
    expect(upgradePasses('1.32', '1.33')).toEqual(['1.33']);
    expect(upgradePasses('1.9', '1.11')).toEqual(['1.10', '1.11']);
  });

  test('a downgrade is refused, naming both versions', () => {
    expect(upgradeRefusal('1.33', '1.31')).toEqual({ code: 'Downgrade', message: expect.stringContaining('1.31 is older than the cluster\'s 1.33') });
    expect(() => upgradePasses('1.33', '1.31')).toThrow(/cannot downgrade/);
  });

  test('the same version is refused: there is nothing to upgrade', () => {
    expect(upgradeRefusal('1.33', '1.33')?.code).toBe('SameVersion');
    expect(() => upgradePasses('1.33', '1.33')).toThrow(ChangeRefusedError);
  });

  test('a malformed version is refused by name', () => {
    expect(upgradeRefusal('1.31', '1.33.1')).toEqual({ code: 'MalformedVersion', message: '"1.33.1" is not a Kubernetes minor version such as "1.33"' });
    expect(() => upgradePasses('one', '1.33')).toThrow('"one" is not a Kubernetes minor version');
  });

  test('an upgrade across a major version is refused', () => {
    expect(upgradeRefusal('1.33', '2.0')?.message).toMatch(/crosses a major version/);
  });
});

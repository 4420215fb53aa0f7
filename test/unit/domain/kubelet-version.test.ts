/** A nodegroup's version as its nodes' kubelets report it. */
import { kubeletMinor, lowestKubeletMinor } from '../../../functions/domain/kubelet-version';

describe('kubelet versions', () => {
  test.each([
    ['v1.33.4-eks-1a2b3c4', '1.33'],
    ['v1.9.0', '1.9'],
    ['1.32.1', '1.32'],
    ['', undefined],
    ['vX.Y', undefined],
    [undefined, undefined],
  ])('%s is Kubernetes %s', (reported, minor) => {
    expect(kubeletMinor(reported)).toBe(minor);
  });

  test("a nodegroup runs its oldest kubelet's version (9 before 10, not as strings), and nodes that report none are not counted", () => {
    expect(lowestKubeletMinor([{ kubeletVersion: 'v1.10.2' }, { kubeletVersion: 'v1.9.8' }, {}])).toBe('1.9');
    expect(lowestKubeletMinor([{ kubeletVersion: 'v1.33.1-eks-1' }, { kubeletVersion: 'v1.32.5-eks-2' }])).toBe('1.32');
    expect(lowestKubeletMinor([{}])).toBeUndefined();
  });
});

/**
 * A DescribeClusterVersions catalogue for tests, as the domain reads it: each minor's 14 months of
 * standard and 12 of extended support. Read against FakeAws's clock (2026-11-21): 1.31 is in its
 * last week of extended support, 1.32 and 1.33 are in extended support, 1.34's standard support
 * ends in 11 days, 1.35 is new; 1.34 is the default.
 */
import type { KubernetesVersionInfo } from '../../functions/domain/version-support';

const minor = (version: string, released: string, endOfStandard: string, endOfExtended: string, defaultVersion = false): KubernetesVersionInfo => ({
  version,
  releaseDate: `${released}T00:00:00.000Z`,
  endOfStandardSupport: `${endOfStandard}T00:00:00.000Z`,
  endOfExtendedSupport: `${endOfExtended}T00:00:00.000Z`,
  defaultVersion,
});

export const CLUSTER_VERSIONS: KubernetesVersionInfo[] = [
  minor('1.31', '2024-09-26', '2025-11-26', '2026-11-26'),
  minor('1.32', '2025-01-23', '2026-03-23', '2027-03-23'),
  minor('1.33', '2025-05-29', '2026-07-29', '2027-07-29'),
  minor('1.34', '2025-10-02', '2026-12-02', '2027-12-02', true),
  minor('1.35', '2026-01-27', '2027-03-27', '2028-03-27'),
];

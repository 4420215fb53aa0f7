/**
 * DescribeClusterVersions for the API, kept for an hour per container: the catalogue is the same
 * for every cluster and changes a few times a year, while GET /clusters/{name} is called often.
 * Kept per EKS port (one per container as deployed; each test's fake starts empty) and timed by
 * the service clock, so local mode's emulated hours count. A failure is not kept: the next
 * request asks again.
 */
import type { KubernetesVersionInfo } from '../domain/version-support';
import type { EksPort } from '../ports/eks';

export const VERSION_CATALOGUE_TTL_MS = 60 * 60 * 1000;

const kept = new WeakMap<EksPort, { at: number; versions: KubernetesVersionInfo[] }>();

export async function versionCatalogue(deps: { eks: EksPort; clock: () => Date }): Promise<KubernetesVersionInfo[]> {
  const now = deps.clock().getTime();
  const entry = kept.get(deps.eks);
  // A clock that went back (local mode restored from an earlier save) reads afresh.
  if (entry && now >= entry.at && now - entry.at < VERSION_CATALOGUE_TTL_MS) return entry.versions;
  const versions = await deps.eks.clusterVersions();
  kept.set(deps.eks, { at: now, versions });
  return versions;
}

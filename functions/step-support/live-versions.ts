/**
 * The versions a cluster's parts run now, read from EKS: its add-ons (ListAddons, DescribeAddon)
 * and managed nodegroups (ListNodegroups, DescribeNodegroup). Its own module so Finalize Upgrade,
 * which reads only these, is granted only these (the infra test charges a step with every call of
 * the modules it imports).
 */
import { versionSnapshot, type VersionSnapshot } from '../domain/upgrade/plan';
import type { SelfManagedInput } from '../domain/upgrade/preflight';
import type { Addon, EksPort, Nodegroup } from '../ports/eks';

export async function readAddons(deps: { eks: EksPort }, name: string): Promise<Addon[]> {
  const names = await deps.eks.listAddons(name);
  const addons = await Promise.all(names.map((addon) => deps.eks.describeAddon(name, addon)));
  return addons.filter((a): a is Addon => a !== undefined && a.addonName !== undefined);
}

export async function readNodegroups(deps: { eks: EksPort }, name: string): Promise<Nodegroup[]> {
  const names = await deps.eks.listNodegroups(name);
  const nodegroups = await Promise.all(names.map((ng) => deps.eks.describeNodegroup(name, ng)));
  return nodegroups.filter((n): n is Nodegroup => n !== undefined);
}

/** The cluster's versions as they are now (Finalize Upgrade's "after"), the self-managed nodegroups' as last read on their nodes. */
export async function readVersions(deps: { eks: EksPort }, name: string, selfManaged: readonly SelfManagedInput[] = []): Promise<VersionSnapshot> {
  const [cluster, addons, nodegroups] = await Promise.all([deps.eks.describeCluster(name), readAddons(deps, name), readNodegroups(deps, name)]);
  return versionSnapshot(cluster?.version ?? '(unknown)', addons, nodegroups, selfManaged);
}

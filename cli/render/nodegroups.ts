/**
 * `eksp get nodegroup`'s rows: the spec's nodegroups, managed and self-managed, each with EKS's
 * status where EKS has one (it lists managed nodegroups only) and its Ready nodes as the workflow
 * last saw them (GET /clusters/{name} `readyNodes`: dated, never a live count).
 */
import type { ClusterDetail } from '../client/types';
import type { NodegroupReadyNodes } from '../../functions/generated/types';
import { table } from './table';

interface SpecNodegroup {
  name: string;
  minSize?: number;
  maxSize?: number;
  desiredSize?: number;
  instanceTypes?: string[];
}

export interface NodegroupRow {
  cluster: string;
  name: string;
  type: 'managed' | 'self-managed';
  /** EKS's status of a managed nodegroup; none for a self-managed one or before EKS knows it. */
  status?: string;
  minSize?: number;
  maxSize?: number;
  desiredSize?: number;
  instanceTypes: string[];
  /** Null until the workflow has waited for the nodegroup's nodes. */
  readyNodes: NodegroupReadyNodes | null;
}

export function nodegroupRows(cluster: ClusterDetail): NodegroupRow[] {
  const spec = cluster.spec as { managedNodeGroups?: SpecNodegroup[]; selfManagedNodeGroups?: SpecNodegroup[] };
  const live = (cluster.live?.nodegroups ?? []) as Array<{ name: string; status?: string }>;
  const row = (ng: SpecNodegroup, type: NodegroupRow['type']): NodegroupRow => {
    const status = type === 'managed' ? live.find((l) => l.name === ng.name)?.status : undefined;
    return {
      cluster: cluster.name,
      name: ng.name,
      type,
      ...(status ? { status } : {}),
      minSize: ng.minSize,
      maxSize: ng.maxSize,
      desiredSize: ng.desiredSize,
      instanceTypes: ng.instanceTypes ?? [],
      readyNodes: cluster.readyNodes?.[ng.name] ?? null,
    };
  };
  return [...(spec.managedNodeGroups ?? []).map((ng) => row(ng, 'managed')), ...(spec.selfManagedNodeGroups ?? []).map((ng) => row(ng, 'self-managed'))];
}

/** "2/2 (as of 2026-12-04T16:27:43.000Z)", or "-" before the workflow looked. */
export function readyText(nodes: NodegroupReadyNodes | null): string {
  return nodes ? `${nodes.ready}/${nodes.desired} (as of ${nodes.observedAt})` : '-';
}

export function nodegroupTable(rows: NodegroupRow[]): string {
  const size = (n: number | undefined) => (n === undefined ? '-' : String(n));
  return table(
    ['CLUSTER', 'NODEGROUP', 'TYPE', 'STATUS', 'MIN SIZE', 'MAX SIZE', 'DESIRED CAPACITY', 'READY', 'INSTANCE TYPE'],
    rows.map((r) => [r.cluster, r.name, r.type, r.status ?? '-', size(r.minSize), size(r.maxSize), size(r.desiredSize), readyText(r.readyNodes), r.instanceTypes.join(',')]),
  );
}

/** The shapes the console reads from the API (docs/api.md), only the fields it shows. */
import type { NodegroupReadyNodes, ReadyNodes } from '../../../functions/generated/types';
export type { Operation, TimelineStep, OperationError } from '../operations/gantt';
export type { NodegroupReadyNodes, ReadyNodes };

export interface ClusterSummary {
  name: string;
  status: string;
  owner: string;
  kubernetesVersion?: string;
  createdAt: string;
  updatedAt: string;
  currentOperation: { id: string; link: string } | null;
}

export interface VersionSupport {
  version: string;
  status: string;
  supportType: string;
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
  ending: string;
  supportEnds: string;
  daysLeft: number;
  newerDefault?: string;
  recommendedVersion?: string;
}

export interface LiveNodegroup {
  name: string;
  status: string;
  instanceTypes?: string[];
  capacityType?: string;
  scaling?: { minSize?: number; maxSize?: number; desiredSize?: number };
}

export interface ClusterDetail extends ClusterSummary {
  version: number;
  spec: Record<string, unknown> & {
    addons?: Array<{ name: string; version?: string }>;
    selfManagedNodeGroups?: Array<{ name: string; desiredSize?: number; minSize?: number; maxSize?: number; instanceTypes?: string[] }>;
  };
  live: null | {
    status: string;
    arn: string;
    kubernetesVersion: string;
    endpoint?: string;
    endpointAccess: { public: boolean; private: boolean; publicAccessCidrs: string[] };
    authenticationMode?: string;
    nodegroups: LiveNodegroup[];
    fargateProfiles: Array<{ name: string; status: string; selectors?: Array<{ namespace: string; labels?: Record<string, string> }> }>;
    accessEntries: string[];
  };
  /** Each nodegroup's Ready nodes at the workflow's last look (not live), by nodegroup name. */
  readyNodes?: ReadyNodes;
  versionSupport?: VersionSupport;
  versionSupportUnavailable?: string;
}

export interface Accepted {
  operationId: string;
  cluster: string;
  status: string;
}

export interface CreatePlan {
  spec: Record<string, unknown>;
  stackName: string;
  steps: string[];
  template: unknown;
}

export interface UpgradePlan {
  dryRun: true;
  plan: {
    from: string;
    to: string;
    passes: string[];
    addons: Array<{ name: string; from?: string; to?: string }>;
    nodegroups: Array<{ name: string; from?: string; to?: string }>;
    problems: Array<{ code: string; severity: string; resource?: string; message: string }>;
    canProceed: boolean;
  };
  blocking: Array<{ code: string; message: string; resource?: string }>;
}

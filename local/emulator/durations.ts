/**
 * How long AWS takes, as distributions (shared REFERENCE "Durations seen in the field"), sampled
 * with a seeded generator so a run is reproducible. Values are emulated seconds; every sample is
 * recorded so the benchmark can compute the AWS critical path of what actually ran.
 */
export type DurationKind =
  | 'controlPlaneCreate'
  | 'controlPlaneDelete'
  | 'natGatewayCreate'
  | 'vpcEndpointCreate'
  | 'networkResource'
  | 'iamRole'
  | 'nodegroupCreate'
  | 'nodegroupDelete'
  | 'nodegroupUpdate'
  | 'fargateProfileCreate'
  | 'fargateProfileDelete'
  | 'addonCreate'
  | 'addonDelete'
  | 'endpointAccessUpdate'
  | 'loggingUpdate'
  | 'versionUpdate'
  | 'clusterSettingUpdate'
  | 'encryptionAssociate'
  | 'nodegroupUpgradeBatch'
  | 'podEvictionRetries'
  | 'addonUpdate'
  | 'insightsRefresh'
  | 'lambdaVpcFunctionActive'
  | 'loadBalancerDelete'
  | 'classicInterfaceRelease'
  | 'nodeRegistration'
  | 'instanceShutdown'
  | 'nodeNetworkReady';

/** Triangular distributions [min, mode, max] in seconds. */
export const DISTRIBUTIONS: Record<DurationKind, [number, number, number]> = {
  controlPlaneCreate: [510, 600, 720], // 8.5–12 min; eksctl's log in the seeds: ~11 min for the whole stack
  controlPlaneDelete: [180, 300, 480], // 3–8 min
  natGatewayCreate: [60, 90, 150],
  vpcEndpointCreate: [40, 70, 120], // an interface endpoint: pending until its interfaces and private DNS are up
  networkResource: [1, 3, 10], // VPC, subnets, routes, security groups
  iamRole: [5, 10, 20],
  nodegroupCreate: [120, 200, 240], // 2–4 min; seeds: 3.5 min
  nodegroupDelete: [180, 240, 360], // 3–6 min
  nodegroupUpdate: [60, 120, 300],
  fargateProfileCreate: [30, 150, 360], // 0.5–6 min; seeds: 4.3 min
  fargateProfileDelete: [30, 90, 180],
  addonCreate: [20, 45, 90],
  addonDelete: [10, 30, 60],
  endpointAccessUpdate: [300, 360, 420], // 5–7 min; seeds: "about 6 minutes"
  loggingUpdate: [20, 30, 45],
  versionUpdate: [480, 600, 720], // 8–12 min for the control plane's minor version
  // One batch of a nodegroup version update: launch the new nodes, cordon and drain the old ones, terminate them.
  nodegroupUpgradeBatch: [150, 240, 420],
  // EKS retries evicting a pod for 15 minutes before it fails the update (PodEvictionFailure).
  podEvictionRetries: [900, 930, 990],
  addonUpdate: [30, 60, 150],
  insightsRefresh: [15, 40, 90],
  clusterSettingUpdate: [5, 15, 40], // deletion protection, upgrade policy, zonal shift: a flag on the control plane
  // A VPC function stays Pending while Lambda makes its Hyperplane ENIs (AWS: "can take several minutes" at worst; usually about a minute).
  lambdaVpcFunctionActive: [30, 60, 90],
  encryptionAssociate: [900, 1500, 2700], // 15–45 min: every secret is re-encrypted; a Terraform log shows 24 min
  loadBalancerDelete: [15, 30, 90], // DeleteLoadBalancer until it and its interfaces are gone: tens of seconds
  // A Classic Load Balancer is gone when DeleteLoadBalancer answers; EC2 releases its interfaces some seconds later.
  classicInterfaceRelease: [5, 10, 30],
  // An EC2 node from running to its kubelet registering the Node (boot, nodeadm, kubelet start): 30–60 s.
  nodeRegistration: [30, 40, 60],
  // An Auto Scaling group's instance from Terminating (shutting-down) to terminated: the OS shuts down, EC2 releases it.
  instanceShutdown: [20, 35, 90],
  // A registered node until Ready: the VPC CNI's aws-node pod starts on it and writes the CNI config.
  nodeNetworkReady: [10, 14, 20],
};

/** The triangular distribution's value at quantile u (0 ≤ u < 1), to a tenth of a second. */
export function triangular(kind: DurationKind, u: number): number {
  const [min, mode, max] = DISTRIBUTIONS[kind];
  const cut = (mode - min) / (max - min);
  const seconds = u < cut ? min + Math.sqrt(u * (max - min) * (mode - min)) : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
  return Math.round(seconds * 10) / 10;
}

export interface Sample {
  kind: DurationKind;
  resource: string;
  seconds: number;
}

export class Durations {
  readonly samples: Sample[] = [];

  constructor(private readonly random: () => number) {}

  /** Samples a duration for one resource and records it. */
  sample(kind: DurationKind, resource: string): number {
    const rounded = triangular(kind, this.random());
    this.samples.push({ kind, resource, seconds: rounded });
    return rounded;
  }
}

/**
 * eksctl's managedNodeGroups[] and nodeGroups[] as the spec's managedNodeGroups[] and
 * selfManagedNodeGroups[]. Both share eksctl's NodeGroupBase (name, sizes, volume, ssh, labels,
 * iam, …); what differs is how the nodes' AMI is chosen (amiFamily → amiType for managed ones) and
 * how Spot is asked for (spot for managed, instancesDistribution for self-managed).
 */
import { copyTo, honouredWhen, honouredWhenOff, isMapping, readList, readSection, segment, type Refusal, type SectionRules, type TranslationLog } from './eksctl-config-reader';

type Json = Record<string, unknown>;

/** What eksctl attaches to every node role, and the service too: not "additional" policies. */
const NODE_ROLE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'];

const TAGS_REFUSAL = "per-nodegroup tags are not offered: the service tags every resource it makes with the cluster's tags (metadata.tags) and its ownership tags";

/** NodeGroupBase fields neither kind of nodegroup can honour. */
const BASE_REFUSALS: Record<string, Refusal> = {
  availabilityZones: 'the service spreads nodes over the cluster\'s subnets; to pin a nodegroup, name its subnets in subnets',
  instancePrefix: 'instance names are not offered',
  instanceName: 'instance names are not offered',
  tags: TAGS_REFUSAL,
  securityGroups: 'nodes get the cluster security group only; extra or shared node security groups are not offered',
  maxPodsPerNode: 'the nodes use the AMI\'s max-pods (from the VPC CNI\'s limits); overriding it is not offered',
  asgSuspendProcesses: 'suspending Auto Scaling processes is not offered',
  ebsOptimized: 'EBS optimisation follows the instance type\'s default; setting it is not offered',
  volumeName: 'the root volume\'s device is the AMI\'s',
  volumeEncrypted: honouredWhen(true, 'root volumes are always encrypted'),
  volumeKmsKeyID: 'root volumes are encrypted with the account\'s default EBS key; a customer key is not offered',
  volumeIOPS: 'volume IOPS are not offered (gp3\'s baseline applies)',
  volumeThroughput: 'volume throughput is not offered (gp3\'s baseline applies)',
  additionalVolumes: 'only the root volume is offered',
  preBootstrapCommands: 'the nodes\' user data is the service\'s (nodeadm); bootstrap commands are not offered',
  overrideBootstrapCommand: 'the nodes\' user data is the service\'s (nodeadm); bootstrap commands are not offered',
  propagateASGTags: 'tag propagation to the Auto Scaling group is not offered',
  disableIMDSv1: honouredWhen(true, 'nodes always require IMDSv2 (HttpTokens required): IMDSv1 cannot be enabled'),
  disablePodIMDS: honouredWhenOff('pods can always reach the instance metadata service (hop limit 2); blocking it is not offered'),
  placement: 'placement groups are not offered',
  efaEnabled: honouredWhenOff('Elastic Fabric Adapter is not offered'),
  instanceSelector: 'instance selection by vCPUs/memory is not offered: name instanceTypes',
  bottlerocket: 'Bottlerocket settings are not offered',
  enableDetailedMonitoring: honouredWhenOff('detailed (1-minute) instance monitoring is not offered'),
  capacityReservation: 'capacity reservations are not offered',
  instanceMarketOptions: 'instance market options (capacity blocks) are not offered',
  outpostARN: 'Outposts are not offered',
};

const MANAGED_REFUSALS: Record<string, Refusal> = {
  ...BASE_REFUSALS,
  ami: 'a managed nodegroup boots EKS\'s AMI of its amiFamily; a custom AMI needs a launch template, which is not offered',
  launchTemplate: 'launch templates are the service\'s own: one of your own is not offered',
  nodeRepairConfig: { why: 'node auto repair is not offered', honoured: (value) => isMapping(value) && value.enabled === false && Object.keys(value).length === 1 },
};

const SELF_MANAGED_REFUSALS: Record<string, Refusal> = {
  ...BASE_REFUSALS,
  updateConfig: 'instance refresh settings of a self-managed nodegroup are not offered',
  asgMetricsCollection: 'Auto Scaling group metrics collection is not offered',
  cpuCredits: 'T-instance CPU credit settings are not offered',
  classicLoadBalancerNames: 'attaching the group to load balancers is not offered',
  targetGroupARNs: 'attaching the group to load balancers is not offered',
  clusterDNS: 'the nodes use the cluster\'s DNS service; overriding it is not offered',
  kubeletExtraConfig: 'kubelet settings are not offered',
  containerRuntime: 'the AMI\'s container runtime (containerd) is the only one',
  maxInstanceLifetime: 'a maximum instance lifetime is not offered',
  localZones: 'Local Zones are not offered',
  enclaveEnabled: honouredWhenOff('Nitro Enclaves are not offered'),
};

/** The x86_64 or arm64 architecture of an instance type: Graviton families carry a `g` after their generation (m7g, c6gn, t4g). */
function isGraviton(instanceType: string): boolean {
  return /^[a-z-]+\d+[a-z-]*g[a-z-]*\./.test(instanceType);
}

/** NVIDIA GPU families (g4dn, g5, p4d, p5): eksctl gives them its NVIDIA AMIs. */
function isNvidiaGpu(instanceType: string): boolean {
  return /^[gp]\d/.test(instanceType);
}

/** managedNodeGroups[].amiFamily and its instance types as EKS's amiType, or why not. */
function managedAmiType(amiFamily: string, instanceTypes: string[]): { amiType: string } | { refused: string } {
  const arm = instanceTypes.filter(isGraviton);
  if (arm.length > 0 && arm.length < instanceTypes.length) return { refused: `mixes arm64 (${arm.join(', ')}) and x86_64 instance types: one nodegroup runs one AMI` };
  const gpu = instanceTypes.some(isNvidiaGpu);
  const architecture = arm.length > 0 ? 'arm64' : 'x86_64';
  switch (amiFamily) {
    case 'AmazonLinux2023':
      if (gpu) return arm.length > 0 ? { refused: 'arm64 NVIDIA AMIs are not offered' } : { amiType: 'AL2023_x86_64_NVIDIA' };
      return { amiType: arm.length > 0 ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD' };
    case 'AmazonLinux2':
      if (gpu) return { refused: 'Amazon Linux 2 GPU AMIs are not offered: use AmazonLinux2023' };
      return { amiType: arm.length > 0 ? 'AL2_ARM_64' : 'AL2_x86_64' };
    case 'Bottlerocket':
      if (gpu) return { refused: 'Bottlerocket NVIDIA AMIs are not offered: use AmazonLinux2023' };
      return { amiType: arm.length > 0 ? 'BOTTLEROCKET_ARM_64' : 'BOTTLEROCKET_x86_64' };
    default:
      return { refused: `${amiFamily} (${architecture}) is not offered for managed nodegroups: AmazonLinux2023, AmazonLinux2 or Bottlerocket` };
  }
}

/** What the NodeGroupBase fields of either kind read into the spec's nodegroup `out`. */
function baseReaders(log: TranslationLog, out: Json, specAt: string, picked: { instanceType?: unknown; amiFamily?: unknown }): SectionRules['read'] {
  const copy = (key: string) => copyTo(log, out, specAt, key);
  return {
    name: copy('name'),
    amiFamily: (value, at) => {
      picked.amiFamily = value;
      log.cameFrom(`${specAt}/amiType`, at);
    },
    instanceType: (value, at) => {
      picked.instanceType = value;
      log.cameFrom(`${specAt}/instanceTypes`, at);
    },
    subnets: copy('subnets'),
    desiredCapacity: copy('desiredSize'),
    minSize: copy('minSize'),
    maxSize: copy('maxSize'),
    volumeSize: copy('volumeSize'),
    volumeType: copy('volumeType'),
    labels: copy('labels'),
    privateNetworking: copy('privateNetworking'),
    ssh: (value, at) => readSsh(log, value, at, out, specAt),
    iam: (value, at) => readNodeIam(log, value, at, out, specAt),
  };
}

/** eksctl's ssh: only an EC2 key pair by name is offered (a key file or key text is on the caller's machine). */
function readSsh(log: TranslationLog, ssh: unknown, at: string, out: Json, specAt: string): void {
  const read: Json = {};
  readSection(log, ssh, at, {
    read: {
      allow: (value) => (read.allow = value),
      publicKeyName: (value, fieldAt) => {
        read.publicKeyName = value;
        log.cameFrom(`${specAt}/ssh/publicKeyName`, fieldAt);
      },
      sourceSecurityGroupIds: (value, fieldAt) => {
        read.sourceSecurityGroupIds = value;
        log.cameFrom(`${specAt}/ssh/sourceSecurityGroupIds`, fieldAt, true);
      },
    },
    refuse: {
      publicKeyPath: 'a key file on your machine cannot be read: import it as an EC2 key pair and name it in publicKeyName',
      publicKey: 'key text is not offered: import it as an EC2 key pair and name it in publicKeyName',
      enableSsm: honouredWhen(true, 'the node role always has AmazonSSMManagedInstanceCore (Session Manager)'),
    },
  });
  if (read.allow === false) {
    if (read.publicKeyName !== undefined) log.refuse(`${at}/publicKeyName`, 'ssh.allow is false: remove the key or allow SSH');
    return;
  }
  if (read.publicKeyName === undefined) {
    if (read.allow === true) log.refuse(`${at}/allow`, "eksctl's default key is a file on your machine (~/.ssh/id_rsa.pub): name an EC2 key pair in publicKeyName");
    return;
  }
  out.ssh = { publicKeyName: read.publicKeyName, ...(read.sourceSecurityGroupIds !== undefined ? { sourceSecurityGroupIds: read.sourceSecurityGroupIds } : {}) };
  log.cameFrom(`${specAt}/ssh`, at);
}

/** A nodegroup's iam: extra policies and the ExternalDNS policy; a role of your own is not offered. */
function readNodeIam(log: TranslationLog, iam: unknown, at: string, out: Json, specAt: string): void {
  const spec: Json = {};
  readSection(log, iam, at, {
    read: {
      // eksctl's list replaces its default node policies; the service always attaches them, so only the others are "additional".
      attachPolicyARNs: (value, fieldAt) => {
        if (!Array.isArray(value)) return log.refuse(fieldAt, 'must be a list of policy ARNs');
        spec.additionalPolicyArns = value.filter((arn) => !(typeof arn === 'string' && NODE_ROLE_POLICIES.some((name) => arn.endsWith(`:policy/${name}`))));
        log.cameFrom(`${specAt}/iam/additionalPolicyArns`, fieldAt);
      },
      withAddonPolicies: (value, fieldAt) =>
        readSection(log, value, fieldAt, {
          read: {
            externalDNS: (flag, flagAt) => {
              spec.externalDNS = flag;
              log.cameFrom(`${specAt}/iam/externalDNS`, flagAt);
            },
          },
          refuse: Object.fromEntries(
            ['imageBuilder', 'autoScaler', 'certManager', 'appMesh', 'appMeshPreview', 'ebs', 'fsx', 'efs', 'awsLoadBalancerController', 'albIngress', 'xRay', 'cloudWatch'].map((name) => [
              name,
              honouredWhenOff(`the ${name} node policy is not offered: give its policy in attachPolicyARNs, or use Pod Identity (iam.podIdentityAssociations)`),
            ]),
          ),
        }),
    },
    refuse: {
      instanceProfileARN: 'the service makes each nodegroup\'s role and instance profile: your own is not offered',
      instanceRoleARN: 'the service makes each nodegroup\'s role: your own is not offered',
      instanceRoleName: 'the service names the roles it makes',
      instanceRolePermissionsBoundary: "the service's own permissions boundary (if configured) applies to the roles it makes",
      attachPolicy: 'inline policies are not offered: give managed policies in attachPolicyARNs',
    },
  });
  if (Object.keys(spec).length > 0) out.iam = spec;
}

/**
 * Taints: a list of {key, value, effect}, or (eksctl's older form, nodeGroups only) a mapping
 * `key: value:Effect`.
 */
function readTaints(log: TranslationLog, value: unknown, at: string, out: Json, specAt: string): void {
  if (Array.isArray(value)) {
    out.taints = value;
    log.cameFrom(`${specAt}/taints`, at, true);
    return;
  }
  if (!isMapping(value)) return log.refuse(at, 'must be a list of taints');
  out.taints = Object.entries(value).map(([key, text]) => {
    const [taintValue, effect] = typeof text === 'string' && text.includes(':') ? [text.slice(0, text.lastIndexOf(':')), text.slice(text.lastIndexOf(':') + 1)] : [text, undefined];
    return { key, ...(taintValue ? { value: taintValue } : {}), ...(effect !== undefined ? { effect } : {}) };
  });
  Object.keys(value).forEach((key, index) => log.cameFrom(`${specAt}/taints/${index}`, `${at}/${segment(key)}`));
}

/**
 * eksctl's sizes where the ClusterConfig gives only some: minSize from desiredCapacity (else 2),
 * maxSize from desiredCapacity (else minSize; at least 1), desiredCapacity from minSize. The spec
 * would default each to 2 on its own, so `desiredCapacity: 5` alone would be 5 nodes over 2/2.
 */
function applyEksctlSizes(log: TranslationLog, out: Json, ngAt: string, specAt: string): void {
  const sizeOf = (key: string) => (out[key] === undefined ? undefined : typeof out[key] === 'number' ? out[key] : null);
  const [desired, min, max] = [sizeOf('desiredSize'), sizeOf('minSize'), sizeOf('maxSize')];
  // A size that is not a number is the validation's to name; nothing is derived from it.
  if (desired === null || min === null || max === null) return;
  const derived = (key: string, value: number, from: string | undefined) => {
    out[key] = value;
    if (from) log.cameFrom(`${specAt}/${key}`, `${ngAt}/${from}`);
  };
  const resolvedMin = min ?? desired ?? 2;
  if (min === undefined) derived('minSize', resolvedMin, desired !== undefined ? 'desiredCapacity' : undefined);
  if (max === undefined) derived('maxSize', Math.max(desired ?? resolvedMin, 1), desired !== undefined ? 'desiredCapacity' : min !== undefined ? 'minSize' : undefined);
  if (desired === undefined) derived('desiredSize', resolvedMin, min !== undefined ? 'minSize' : undefined);
}

/** managedNodeGroups[i] → the spec's managedNodeGroups[i]. */
export function readManagedNodeGroups(log: TranslationLog, value: unknown, at: string): Json[] {
  const groups: Json[] = [];
  readList(log, value, at, (ng, ngAt, index) => {
    const specAt = `/managedNodeGroups/${index}`;
    const out: Json = {};
    const picked: { instanceType?: unknown; amiFamily?: unknown } = {};
    readSection(log, ng, ngAt, {
      read: {
        ...baseReaders(log, out, specAt, picked),
        instanceTypes: copyTo(log, out, specAt, 'instanceTypes'),
        spot: (spot, spotAt) => {
          out.capacityType = spot === true ? 'SPOT' : spot === false ? 'ON_DEMAND' : spot;
          log.cameFrom(`${specAt}/capacityType`, spotAt);
        },
        taints: (taints, taintsAt) => readTaints(log, taints, taintsAt, out, specAt),
        updateConfig: copyTo(log, out, specAt, 'updateConfig'),
        releaseVersion: (release, releaseAt) => {
          if (release !== '') copyTo(log, out, specAt, 'releaseVersion')(release, releaseAt);
        },
      },
      refuse: MANAGED_REFUSALS,
    });
    if (picked.instanceType !== undefined) {
      if (out.instanceTypes !== undefined) log.refuse(`${ngAt}/instanceType`, 'give instanceType or instanceTypes, not both');
      else out.instanceTypes = [picked.instanceType];
    }
    const instanceTypes = Array.isArray(out.instanceTypes) && out.instanceTypes.every((t) => typeof t === 'string') ? (out.instanceTypes as string[]) : ['m5.large'];
    const amiFamily = picked.amiFamily ?? 'AmazonLinux2023';
    if (typeof amiFamily !== 'string') log.refuse(`${ngAt}/amiFamily`, 'must be a string');
    else {
      const ami = managedAmiType(amiFamily, instanceTypes);
      if ('refused' in ami) log.refuse(picked.amiFamily !== undefined ? `${ngAt}/amiFamily` : `${ngAt}/instanceTypes`, ami.refused);
      // eksctl's default (AL2023, x86_64) is the spec's too: say it only when it differs.
      else if (ami.amiType !== 'AL2023_x86_64_STANDARD' || picked.amiFamily !== undefined) out.amiType = ami.amiType;
    }
    applyEksctlSizes(log, out, ngAt, specAt);
    // eksctl puts nodes in public subnets unless told otherwise; the spec's default is private.
    if (out.privateNetworking === undefined) out.privateNetworking = false;
    log.cameFrom(specAt, ngAt);
    groups.push(out);
  });
  return groups;
}

/** nodeGroups[i] → the spec's selfManagedNodeGroups[i]. */
export function readSelfManagedNodeGroups(log: TranslationLog, value: unknown, at: string): Json[] {
  const groups: Json[] = [];
  readList(log, value, at, (ng, ngAt, index) => {
    const specAt = `/selfManagedNodeGroups/${index}`;
    const out: Json = {};
    const picked: { instanceType?: unknown; amiFamily?: unknown } = {};
    readSection(log, ng, ngAt, {
      read: {
        ...baseReaders(log, out, specAt, picked),
        ami: copyTo(log, out, specAt, 'ami'),
        taints: (taints, taintsAt) => readTaints(log, taints, taintsAt, out, specAt),
        instancesDistribution: (distribution, distributionAt) => readInstancesDistribution(log, distribution, distributionAt, out, specAt),
      },
      refuse: SELF_MANAGED_REFUSALS,
    });
    if (picked.amiFamily !== undefined) {
      if (picked.amiFamily === 'AmazonLinux2023') out.amiFamily = 'AmazonLinux2023';
      else log.refuse(`${ngAt}/amiFamily`, 'self-managed nodes run Amazon Linux 2023 only (they join with nodeadm)');
    }
    // eksctl's `instanceType: mixed` means "see instancesDistribution".
    if (picked.instanceType !== undefined && !(picked.instanceType === 'mixed' && out.instancesDistribution !== undefined)) {
      if (out.instanceTypes !== undefined) log.refuse(`${ngAt}/instanceType`, 'give instanceType or instancesDistribution.instanceTypes, not both');
      else out.instanceTypes = [picked.instanceType];
    }
    const gpu = Array.isArray(out.instanceTypes) ? out.instanceTypes.filter((t): t is string => typeof t === 'string' && isNvidiaGpu(t)) : [];
    if (gpu.length > 0 && out.ami === undefined) log.refuse(`${ngAt}/${picked.instanceType !== undefined ? 'instanceType' : 'instancesDistribution/instanceTypes'}`, `${gpu.join(', ')}: self-managed nodes boot the standard AL2023 AMI, not the NVIDIA one; use a managed nodegroup`);
    applyEksctlSizes(log, out, ngAt, specAt);
    if (out.privateNetworking === undefined) out.privateNetworking = false;
    log.cameFrom(specAt, ngAt);
    groups.push(out);
  });
  return groups;
}

/** instancesDistribution: its instance types become the nodegroup's, the rest the spec's instancesDistribution. */
function readInstancesDistribution(log: TranslationLog, value: unknown, at: string, out: Json, specAt: string): void {
  const distribution: Json = {};
  const distributionAt = `${specAt}/instancesDistribution`;
  readSection(log, value, at, {
    read: {
      instanceTypes: copyTo(log, out, specAt, 'instanceTypes'),
      onDemandBaseCapacity: copyTo(log, distribution, distributionAt, 'onDemandBaseCapacity'),
      onDemandPercentageAboveBaseCapacity: copyTo(log, distribution, distributionAt, 'onDemandPercentageAboveBaseCapacity'),
      spotAllocationStrategy: copyTo(log, distribution, distributionAt, 'spotAllocationStrategy'),
    },
    refuse: {
      maxPrice: 'a Spot maximum price is not offered: Spot instances are bought at the Spot price, capped at the On-Demand price',
      spotInstancePools: 'spotInstancePools (for lowest-price) is not offered: use another spotAllocationStrategy',
      capacityRebalance: honouredWhenOff('capacity rebalancing is not offered'),
    },
  });
  out.instancesDistribution = distribution;
  log.cameFrom(distributionAt, at);
}

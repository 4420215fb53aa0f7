/**
 * EKS managed nodegroups: CreateNodegroup's checks (subnets, node role and its policies, scaling,
 * labels, taints, launch template, version skew), DeleteNodegroup and UpdateNodegroupConfig.
 */
import { randomUUID } from 'node:crypto';
import type { CreateNodegroupRequest, UpdateNodegroupConfigRequest } from '@aws-sdk/client-eks';
import { drainNodegroupCapacity } from '../ec2/nodegroup-capacity';
import { findLaunchTemplate } from '../ec2/state';
import { KUBERNETES_VERSIONS, minor } from './catalog';
import { EksPart } from './context';
import { checkReleaseVersion } from './nodegroup-upgrades';
import type { Nodegroup, ScalingConfig, Taint, Update } from './model';
import { CHILD_NAME, inUse, invalidParameter, limitExceeded, notFound } from './validation';

const NODE_POLICIES: Array<string[]> = [['AmazonEKSWorkerNodePolicy'], ['AmazonEC2ContainerRegistryReadOnly', 'AmazonEC2ContainerRegistryPullOnly']];
const MAX_NODEGROUPS = 30;

function reservedLabelPrefix(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return false;
  const prefix = key.slice(0, slash);
  return ['kubernetes.io', 'k8s.io'].some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
}

export class Nodegroups extends EksPart {
  nodegroup(clusterName: string, name: string): Nodegroup {
    const nodegroup = this.cluster(clusterName).nodegroups.get(name);
    if (!nodegroup) throw notFound(`No node group found for name: ${name}.`);
    return nodegroup;
  }

  private checkScaling(config: ScalingConfig): void {
    const { minSize, maxSize, desiredSize } = config;
    for (const [field, value] of Object.entries(config)) {
      if (!Number.isInteger(value) || value < 0) throw invalidParameter(`scalingConfig.${field} must be a non-negative integer`);
    }
    if (maxSize < 1) throw invalidParameter('Maximum capacity must be at least 1');
    if (minSize > maxSize) throw invalidParameter(`Minimum capacity ${minSize} can't be greater than max size ${maxSize}`);
    if (desiredSize < minSize) throw invalidParameter(`Minimum capacity ${minSize} can't be greater than desired size ${desiredSize}`);
    if (desiredSize > maxSize) throw invalidParameter(`Desired capacity ${desiredSize} can't be greater than max size ${maxSize}`);
  }

  private checkLabels(labels: Record<string, string> | undefined): void {
    for (const key of Object.keys(labels ?? {})) {
      if (reservedLabelPrefix(key)) throw invalidParameter(`Label key ${key} is invalid: labels with the kubernetes.io/ or k8s.io/ prefixes are reserved`);
      if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key) || key.length > 317) throw invalidParameter(`Label key ${key} is not a valid Kubernetes label key`);
    }
  }

  private checkTaints(taints: ReadonlyArray<{ key?: string; value?: string; effect?: string }> | undefined): Taint[] {
    const list = (taints ?? []).map((t) => {
      if (!t.key) throw invalidParameter('Taint key is required');
      if (!['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE'].includes(t.effect ?? '')) throw invalidParameter(`Taint effect ${t.effect} must be one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE`);
      return { key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect as Taint['effect'] };
    });
    if (list.length > 50) throw invalidParameter('A nodegroup can have at most 50 taints');
    return list;
  }

  /** maxUnavailable (1–100 nodes) or maxUnavailablePercentage (1–100 %), exactly one of them. */
  private checkUpdateConfig(config: { maxUnavailable?: number; maxUnavailablePercentage?: number } | undefined): Record<string, number> | undefined {
    if (config === undefined) return undefined;
    const { maxUnavailable, maxUnavailablePercentage } = config;
    if ((maxUnavailable === undefined) === (maxUnavailablePercentage === undefined)) throw invalidParameter('updateConfig must specify either maxUnavailable or maxUnavailablePercentage, not both');
    const [field, value] = maxUnavailable !== undefined ? (['maxUnavailable', maxUnavailable] as const) : (['maxUnavailablePercentage', maxUnavailablePercentage!] as const);
    if (!Number.isInteger(value) || value < 1 || value > 100) throw invalidParameter(`updateConfig.${field} must be an integer from 1 to 100`);
    return { [field]: value };
  }

  /** Managed nodes join only with a role that carries the worker and registry policies. */
  private checkNodeRole(arn: string): void {
    const role = this.findRole(arn);
    if (!role) return;
    const missing = NODE_POLICIES.filter((alternatives) => !alternatives.some((name) => role.managedPolicyArns.some((p) => String(p).endsWith(`/${name}`))));
    if (missing.length) {
      throw invalidParameter(
        `The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policies [${missing.map((m) => `arn:aws:iam::aws:policy/${m[0]}`).join(', ')}] are attached (nodeRole ${arn})`,
      );
    }
  }

  createNodegroup(clusterName: string, input: CreateNodegroupRequest): Nodegroup {
    const cluster = this.usableCluster(clusterName);
    const name = input.nodegroupName ?? '';
    if (!CHILD_NAME.test(name) || name.length > 63) throw invalidParameter(`Nodegroup name ${name || '(empty)'} must be 1-63 characters: letters, digits, hyphens and underscores, starting with a letter or digit`);
    const existing = cluster.nodegroups.get(name);
    if (existing) {
      if (input.clientRequestToken && existing.clientRequestToken === input.clientRequestToken) return existing;
      throw inUse(`NodeGroup already exists with name ${name} and cluster name ${clusterName}`);
    }
    if (cluster.nodegroups.size >= MAX_NODEGROUPS) throw limitExceeded(`Cluster ${clusterName} already has the maximum of ${MAX_NODEGROUPS} managed nodegroups`);

    const subnets = this.subnets(input.subnets, 'subnets');
    if (subnets.some((s) => s.vpcId !== cluster.vpc.vpcId)) throw invalidParameter(`Subnets must be in the cluster's VPC ${cluster.vpc.vpcId}`);
    const nodeRole = this.requireRole(input.nodeRole, 'nodeRole');
    this.checkNodeRole(nodeRole);
    const scalingConfig: ScalingConfig = { minSize: input.scalingConfig?.minSize ?? 1, maxSize: input.scalingConfig?.maxSize ?? 2, desiredSize: input.scalingConfig?.desiredSize ?? 2 };
    this.checkScaling(scalingConfig);
    this.checkLabels(input.labels);
    const taints = this.checkTaints(input.taints);

    const launchTemplate = input.launchTemplate;
    if (launchTemplate) {
      if (launchTemplate.id && launchTemplate.name) throw invalidParameter('Either launchTemplate id or name can be specified, not both');
      if (!launchTemplate.id && !launchTemplate.name) throw invalidParameter('launchTemplate needs an id or a name');
      if (input.diskSize !== undefined) throw invalidParameter('Disk size must be specified within the launch template.');
      if (input.remoteAccess) throw invalidParameter('Remote access configuration cannot be specified with a launch template.');
    }
    // A launch template may carry one instance type, or CreateNodegroup's instanceTypes may give them: not both.
    const customTemplate = launchTemplate ? findLaunchTemplate(this.world, launchTemplate) : undefined;
    if (customTemplate?.data.InstanceType !== undefined && (input.instanceTypes?.length ?? 0) > 0) {
      throw invalidParameter('Instance type specified in both launch template and nodegroup. Specify the instance type in either the launch template or the nodegroup, not both.');
    }
    const capacityType = input.capacityType ?? 'ON_DEMAND';
    if (!['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK'].includes(capacityType)) throw invalidParameter(`capacityType ${capacityType} must be ON_DEMAND, SPOT or CAPACITY_BLOCK`);
    const amiType = input.amiType ?? 'AL2023_x86_64_STANDARD';
    if (!/^(AL2|AL2023|BOTTLEROCKET|WINDOWS|CUSTOM)/.test(amiType)) throw invalidParameter(`amiType ${amiType} is not supported`);
    const version = input.version ?? cluster.version;
    if (!KUBERNETES_VERSIONS.includes(version) || minor(version) > minor(cluster.version) || minor(version) < minor(cluster.version) - 3) {
      throw invalidParameter(`Nodegroup version ${version} must be at most the cluster version ${cluster.version} and at most three minor versions older`);
    }
    if (input.instanceTypes?.length === 0) throw invalidParameter('instanceTypes must not be empty');

    const uuid = randomUUID();
    const now = this.now();
    const nodegroup: Nodegroup = {
      name,
      arn: this.arn(`nodegroup/${clusterName}/${name}/${uuid}`),
      clusterName,
      version,
      releaseVersion: checkReleaseVersion(version, input.releaseVersion),
      createdAt: now,
      modifiedAt: now,
      status: 'CREATING',
      capacityType,
      scalingConfig,
      instanceTypes: input.instanceTypes ?? (launchTemplate ? [] : ['t3.medium']),
      subnets: subnets.map((s) => s.subnetId),
      ...(input.remoteAccess ? { remoteAccess: { ...input.remoteAccess }, remoteAccessSecurityGroup: this.world.newId('sg') } : {}),
      amiType,
      nodeRole,
      labels: { ...(input.labels ?? {}) },
      taints,
      // Without a version EKS takes the template's default (with CloudFormation's, its latest).
      ...(launchTemplate ? { launchTemplate: { ...launchTemplate, version: launchTemplate.version ?? String(customTemplate?.version ?? 1) } } : { diskSize: input.diskSize ?? 20 }),
      updateConfig: this.checkUpdateConfig(input.updateConfig) ?? { maxUnavailable: 1 },
      tags: { ...(input.tags ?? {}) },
      healthIssues: [],
      autoScalingGroupName: `eks-${name}-${uuid}`,
      ...(input.clientRequestToken ? { clientRequestToken: input.clientRequestToken } : {}),
    };
    cluster.nodegroups.set(name, nodegroup);

    this.after('nodegroupCreate', `nodegroup/${clusterName}/${name}`, { kind: 'nodegroupCreated', clusterName, clusterId: cluster.id, name, arn: nodegroup.arn });
    return nodegroup;
  }

  deleteNodegroup(clusterName: string, name: string): Nodegroup {
    const cluster = this.cluster(clusterName);
    const nodegroup = this.nodegroup(clusterName, name);
    if (nodegroup.status === 'DELETING') return nodegroup;
    if (nodegroup.status === 'CREATING' || nodegroup.status === 'UPDATING') throw inUse(`Nodegroup ${name} cannot be deleted because it is currently in ${nodegroup.status} status`);
    nodegroup.status = 'DELETING';
    nodegroup.modifiedAt = this.now();
    drainNodegroupCapacity(this.world, nodegroup);
    this.parts.addons.refreshAddons(cluster);
    this.after('nodegroupDelete', `nodegroup/${clusterName}/${name}`, { kind: 'nodegroupDeleted', clusterName, clusterId: cluster.id, name, arn: nodegroup.arn });
    return nodegroup;
  }

  updateNodegroupConfig(clusterName: string, name: string, input: UpdateNodegroupConfigRequest): Update {
    const cluster = this.cluster(clusterName);
    const nodegroup = this.nodegroup(clusterName, name);
    const repeated = this.parts.updates.byToken(cluster, input.clientRequestToken, name);
    if (repeated) return repeated;
    const running = this.parts.updates.inProgressUpdate(cluster, name);
    if (running) throw inUse(`Nodegroup ${name} has update ${running.id} in progress`);
    if (nodegroup.status !== 'ACTIVE' && nodegroup.status !== 'DEGRADED') throw inUse(`Nodegroup ${name} is in ${nodegroup.status} status and cannot be updated`);

    const params: Array<{ type: string; value: string }> = [];
    const scaling = { ...nodegroup.scalingConfig, ...Object.fromEntries(Object.entries(input.scalingConfig ?? {}).filter(([, v]) => v !== undefined)) } as ScalingConfig;
    this.checkScaling(scaling);
    for (const [field, type] of [['minSize', 'MinSize'], ['maxSize', 'MaxSize'], ['desiredSize', 'DesiredSize']] as const) {
      if (scaling[field] !== nodegroup.scalingConfig[field]) params.push({ type, value: String(scaling[field]) });
    }

    const labels = { ...nodegroup.labels };
    const addLabels = input.labels?.addOrUpdateLabels ?? {};
    this.checkLabels(addLabels);
    const changedLabels = Object.entries(addLabels).filter(([k, v]) => labels[k] !== v);
    const removedLabels = (input.labels?.removeLabels ?? []).filter((k) => k in labels);
    if (Object.keys(addLabels).some((k) => (input.labels?.removeLabels ?? []).includes(k))) throw invalidParameter('A label cannot be both added and removed');
    for (const [k, v] of changedLabels) labels[k] = v;
    for (const k of removedLabels) delete labels[k];
    if (changedLabels.length) params.push({ type: 'LabelsToAdd', value: JSON.stringify(Object.fromEntries(changedLabels)) });
    if (removedLabels.length) params.push({ type: 'LabelsToRemove', value: JSON.stringify(removedLabels) });

    const addTaints = this.checkTaints(input.taints?.addOrUpdateTaints);
    const removeTaints = this.checkTaints(input.taints?.removeTaints);
    const key = (t: Taint) => `${t.key}:${t.effect}`;
    let taints = nodegroup.taints.filter((t) => !removeTaints.some((r) => key(r) === key(t)));
    const removedTaints = nodegroup.taints.length - taints.length;
    const newTaints = addTaints.filter((t) => !taints.some((x) => key(x) === key(t) && x.value === t.value));
    taints = [...taints.filter((t) => !newTaints.some((n) => key(n) === key(t))), ...newTaints];
    this.checkTaints(taints);
    if (newTaints.length) params.push({ type: 'TaintsToAdd', value: JSON.stringify(newTaints) });
    if (removedTaints) params.push({ type: 'TaintsToRemove', value: JSON.stringify(removeTaints) });

    const updateConfig = this.checkUpdateConfig(input.updateConfig) ?? nodegroup.updateConfig;
    if (JSON.stringify(updateConfig) !== JSON.stringify(nodegroup.updateConfig)) {
      for (const [field, value] of Object.entries(updateConfig)) params.push({ type: field === 'maxUnavailable' ? 'MaxUnavailable' : 'MaxUnavailablePercentage', value: String(value) });
    }

    if (params.length === 0) throw invalidParameter('No changes needed: the nodegroup already has the requested configuration');
    return this.parts.updates.startUpdate(cluster, { type: 'ConfigUpdate', params, nodegroupName: name }, input.clientRequestToken, 'nodegroupUpdate', { kind: 'nodegroupConfig', nodegroup: name, scalingConfig: scaling, labels, taints, updateConfig });
  }
}

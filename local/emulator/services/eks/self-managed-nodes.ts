/**
 * Whether an instance EKS did not launch (a self-managed nodegroup's: its Auto Scaling group was
 * made by a stack) becomes a node of a cluster, as in AWS: its user data must carry a nodeadm
 * NodeConfig naming the cluster and its endpoint (what the instance's kubelet is told to join),
 * its instance profile's role must be admitted by the cluster (an EC2_LINUX access entry where
 * the cluster reads access entries, or an aws-auth mapRoles entry in system:nodes where it reads
 * aws-auth), and it must reach the endpoint and the services a node bootstraps with
 * (node-join.ts). Until then it runs but is no node. Checked on every read, so admitting the
 * role later makes the waiting instances nodes at once, as kubelets retrying would.
 */
import { load } from 'js-yaml';
import type { Instance, World } from '../../world';
import { findLaunchTemplate } from '../ec2/state';
import { awsAuthRoles } from './kube-store';
import type { Cluster } from './model';
import { nodeJoinFailure } from './node-join';

/** What the emulator reads of nodeadm's NodeConfig: the cluster, and the kubelet's labels and taints. */
export interface NodeConfig {
  clusterName?: string;
  apiServerEndpoint?: string;
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
}

/** The NodeConfig part of a MIME multi-part user data (or a bare NodeConfig document); undefined when there is none. */
export function parseNodeConfig(userData: string): NodeConfig | undefined {
  const start = userData.search(/^apiVersion: node\.eks\.aws\//m);
  if (start === -1) return undefined;
  const rest = userData.slice(start);
  const end = rest.search(/^--\S/m);
  let document: unknown;
  try {
    document = load(end === -1 ? rest : rest.slice(0, end));
  } catch {
    return undefined;
  }
  const spec = (document as { kind?: string; spec?: { cluster?: { name?: unknown; apiServerEndpoint?: unknown }; kubelet?: { flags?: unknown } } } | undefined);
  if (spec?.kind !== 'NodeConfig') return undefined;
  const flags = Array.isArray(spec.spec?.kubelet?.flags) ? spec.spec.kubelet.flags.map(String) : [];
  const flag = (name: string) => flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '';
  const labels = Object.fromEntries(
    flag('node-labels')
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.split('=')[0] ?? '', pair.split('=').slice(1).join('=')]),
  );
  const taints = flag('register-with-taints')
    .split(',')
    .filter(Boolean)
    .map((taint) => {
      const [keyValue = '', effect = ''] = taint.split(':');
      const [key = '', value] = keyValue.split('=');
      return { key, ...(value !== undefined ? { value } : {}), effect };
    });
  const cluster = spec.spec?.cluster;
  return {
    ...(typeof cluster?.name === 'string' ? { clusterName: cluster.name } : {}),
    ...(typeof cluster?.apiServerEndpoint === 'string' ? { apiServerEndpoint: cluster.apiServerEndpoint } : {}),
    labels,
    taints,
  };
}

/** The NodeConfig the instance booted with: its launch template version's user data. */
export function instanceNodeConfig(world: World, instance: Instance): NodeConfig | undefined {
  const template = instance.launchTemplate ? findLaunchTemplate(world, instance.launchTemplate) : undefined;
  const userData = template?.data.UserData;
  return typeof userData === 'string' ? parseNodeConfig(Buffer.from(userData, 'base64').toString('utf8')) : undefined;
}

/** The role the instance acts as: its instance profile's. */
export function instanceRoleArn(world: World, instance: Instance): string | undefined {
  const profileName = instance.iamInstanceProfileArn?.split('/').pop();
  const roleName = profileName ? world.iam.instanceProfiles.get(profileName)?.roleNames[0] : undefined;
  return roleName ? world.iam.roles.get(roleName)?.arn : undefined;
}

/** Whether the cluster lets the role's nodes in: an EC2_LINUX access entry (API modes), an aws-auth node mapping (CONFIG_MAP modes). */
export function nodeRoleAdmitted(cluster: Cluster, roleArn: string): boolean {
  const entry = cluster.authenticationMode === 'CONFIG_MAP' ? undefined : cluster.accessEntries.get(roleArn);
  if (entry?.type === 'EC2_LINUX') return true;
  if (cluster.authenticationMode === 'API') return false;
  return awsAuthRoles(cluster.kube.getConfigMap('kube-system', 'aws-auth')).some((mapping) => mapping.rolearn === roleArn && (mapping.groups ?? []).includes('system:nodes'));
}

/** Whether a running instance EKS did not launch is a node of `cluster` now. */
export function selfManagedNodeJoins(world: World, cluster: Cluster, instance: Instance): boolean {
  const config = instanceNodeConfig(world, instance);
  if (!config || config.clusterName !== cluster.name || config.apiServerEndpoint !== cluster.endpoint) return false;
  const roleArn = instanceRoleArn(world, instance);
  if (!roleArn || !nodeRoleAdmitted(cluster, roleArn)) return false;
  return nodeJoinFailure(world, cluster, [instance]) === undefined;
}

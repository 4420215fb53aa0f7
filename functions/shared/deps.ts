/**
 * What a handler works with: the ports it declares, a clock and settings. Each handler names its
 * ports (`step(validator, { eks: sdkEks, ... }, run)`) so its bundle holds only those SDK
 * clients, and TypeScript holds `run` to them. Tests and the local runtime may install other
 * implementations of every port with `useDeps`; the handlers do not change.
 */
import type { AutoScalingPort } from '../ports/autoscaling';
import type { CloudFormationPort } from '../ports/cloudformation';
import type { Ec2Port } from '../ports/ec2';
import type { ElbPort } from '../ports/elb';
import type { Elbv2Port } from '../ports/elbv2';
import type { EksPort } from '../ports/eks';
import type { KubernetesPort } from '../ports/kubernetes';
import type { KubernetesGroupsPort } from '../ports/kubernetes-groups';
import type { RegistryPort } from '../ports/registry';
import type { SchedulesPort } from '../ports/schedules';
import type { SsmPort } from '../ports/ssm';
import type { StatusEventsPort } from '../ports/status-events';
import type { WorkflowsPort } from '../ports/workflows';
import type { ResolvedGuardrails } from '../domain/guardrails';
import type { KubeAgentCode } from '../domain/cluster-template';
import { config } from './config';

export interface Ports {
  autoScaling: AutoScalingPort;
  cloudFormation: CloudFormationPort;
  eks: EksPort;
  ec2: Ec2Port;
  elbv2: Elbv2Port;
  /** Elastic Load Balancing (Classic): the in-tree service controller's load balancers. */
  elb: ElbPort;
  events: StatusEventsPort;
  registry: RegistryPort;
  kubernetes: KubernetesPort;
  /** Kubernetes' own security groups of one cluster, deleted through a session scoped to it. */
  kubernetesGroups: KubernetesGroupsPort;
  workflows: WorkflowsPort;
  schedules: SchedulesPort;
  ssm: SsmPort;
}
export type PortName = keyof Ports;

/** Configuration a handler reads, resolved lazily so each function only requires its own variables. */
export interface Settings {
  guardrails: () => ResolvedGuardrails;
  cloudFormationRoleArn: () => string | undefined;
  permissionsBoundaryArn: () => string;
  podRoleBoundaryArn: () => string;
  kubeAgentCode: () => KubeAgentCode;
  provisionStateMachineArn: () => string;
  deleteStateMachineArn: () => string;
  updateStateMachineArn: () => string;
  upgradeStateMachineArn: () => string;
  region: () => string;
  adminPrincipalArns: () => string[];
  eventSources: () => Record<string, string>;
}

export interface Deps extends Ports {
  clock: () => Date;
  settings: Settings;
  /** Waits `ms` of the clock's time: real time as deployed; in local mode the clock is emulated, so the wait is scaled with it. Default: real time. */
  wait?: (ms: number) => Promise<void>;
}

/** A handler's view: only the ports it declared. */
export type StepDeps<K extends PortName> = Pick<Ports, K> & Pick<Deps, 'clock' | 'settings' | 'wait'>;
export type PortFactories<K extends PortName> = { [P in K]: () => Ports[P] };

/** The deployed settings, read lazily from functions/shared/config.ts. */
export const settings: Settings = {
  guardrails: config.guardrails,
  cloudFormationRoleArn: config.cloudFormationRoleArn,
  permissionsBoundaryArn: config.permissionsBoundaryArn,
  podRoleBoundaryArn: config.podRoleBoundaryArn,
  kubeAgentCode: config.kubeAgentCode,
  provisionStateMachineArn: config.provisionStateMachineArn,
  deleteStateMachineArn: config.deleteStateMachineArn,
  updateStateMachineArn: config.updateStateMachineArn,
  upgradeStateMachineArn: config.upgradeStateMachineArn,
  region: config.region,
  adminPrincipalArns: config.adminPrincipalArns,
  eventSources: config.eventSources,
};

let installed: Deps | undefined;

/** Resolves a handler's deps: the installed ones if any, else its declared ports (built once). */
export function wire<K extends PortName>(factories: PortFactories<K>): () => StepDeps<K> {
  let built: StepDeps<K> | undefined;
  return () => {
    if (installed) return installed;
    if (!built) {
      const ports = Object.fromEntries(Object.entries(factories).map(([name, factory]) => [name, (factory as () => unknown)()])) as Pick<Ports, K>;
      built = { ...ports, clock: () => new Date(), settings };
    }
    return built;
  };
}

/** Installs other ports (fakes in tests); returns a function restoring the previous ones. */
export function useDeps(replacement: Deps): () => void {
  const previous = installed;
  installed = replacement;
  return () => {
    installed = previous;
  };
}

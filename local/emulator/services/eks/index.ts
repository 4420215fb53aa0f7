/**
 * The EKS emulator: restJson1 routes (api.ts) over the state and rules (state.ts, which hands each
 * call to the part with that job: clusters.ts, nodegroups.ts, transitions.ts...). Creating the
 * service also installs its state as `world.eks`, CloudFormation's AWS::EKS::Cluster provider.
 */
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { eksRequestHandler, renderEksError } from './api';
import { EksState } from './state';

export { EksState, clusterAttributes, cidrContains, type Cluster, type StackClusterContext } from './state';
export { KubeStore, awsAuthRoles, awsAuthUsers, type ConfigMapObject } from './kube-store';

export interface EksServiceOptions {
  /** The emulator's base URL (or how to get it once it listens); cluster endpoints are `<base>/k8s/<name>`. Default http://127.0.0.1:$EKSP_AWS_PORT (4566). */
  baseUrl?: string | (() => string);
}

export type EksServiceModule = ServiceModule & { state: EksState };

export function createEksService(world: World, options: EksServiceOptions = {}): EksServiceModule {
  const configured = options.baseUrl;
  const baseUrl = typeof configured === 'function' ? configured : () => configured ?? `http://127.0.0.1:${process.env.EKSP_AWS_PORT ?? 4566}`;
  const state = new EksState(world, { baseUrl });
  world.eks = state;
  return { name: 'eks', state, handle: eksRequestHandler(state), renderError: renderEksError };
}

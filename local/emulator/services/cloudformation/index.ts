/**
 * The local CloudFormation endpoint (awsQuery, Version 2010-05-15): stacks made of emulated EC2,
 * IAM and EKS resources, checked against the AWS resource specification. See engine.ts for the
 * lifecycle, api.ts for the actions, providers.ts for the resource types; the dispatch is
 * query/dispatch.ts.
 */
import { createQueryService } from '../../query';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { API_VERSION, NAMESPACE, operationsOver } from './api';
import { CloudFormationEngine } from './engine';

export { CloudFormationEngine } from './engine';
export type { Stack, StackEvent, StackResource } from './engine';
export { ACTIONS as CLOUDFORMATION_ACTIONS, NAMESPACE as CLOUDFORMATION_NAMESPACE } from './api';
export { MODELLED_TYPES as CLOUDFORMATION_MODELLED_TYPES } from './providers';

export interface CloudFormationService extends ServiceModule {
  /** The stacks and exports, for tests and the local tooling. */
  engine: CloudFormationEngine;
  /**
   * Loads the AWS resource specification now (~0.6 s of busy event loop) instead of at the first
   * CreateStack; call it after the server is listening and before timing anything.
   */
  warmUp(): Promise<void>;
}

export function createCloudFormationService(world: World): CloudFormationService {
  const engine = new CloudFormationEngine(world);
  const service = createQueryService(world, {
    name: 'cloudformation',
    protocol: 'awsQuery',
    namespace: NAMESPACE,
    version: API_VERSION,
    checkVersion: false,
    throttleCode: 'Throttling',
    operations: operationsOver(engine),
  });
  return { ...service, engine, warmUp: () => engine.warmUp() };
}

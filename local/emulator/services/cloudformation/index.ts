/**
 * The local CloudFormation endpoint (awsQuery, Version 2010-05-15): stacks made of emulated EC2,
 * IAM and EKS resources, checked against the AWS resource specification. See engine.ts for the
 * lifecycle, api.ts for the actions, providers.ts for the resource types.
 */
import type { ServerResponse } from 'node:http';
import { sendQueryError, type EmulatorError } from '../../protocol';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { handleQuery } from './api';
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
  return {
    name: 'cloudformation',
    engine,
    warmUp: () => engine.warmUp(),
    handle: (ctx) => {
      // The CLI and SDKs POST a form; a GET with the same query string is accepted too.
      const body = ctx.body || ctx.url.search.slice(1);
      return handleQuery({ ...ctx, body }, engine);
    },
    renderError: (res: ServerResponse, error: EmulatorError) => sendQueryError(res, error.status, error.code, error.message),
  };
}

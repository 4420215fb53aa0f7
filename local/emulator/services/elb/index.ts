/**
 * The local Elastic Load Balancing endpoint (signing name `elasticloadbalancing`), which AWS
 * serves for both APIs: a request is the Classic API's (api.ts here) when its Version is
 * 2012-06-01, Elastic Load Balancing v2's (../elbv2) otherwise. state.ts holds the Classic rules,
 * controller.ts what the in-tree Kubernetes service controller makes.
 */
import type { ServerResponse } from 'node:http';
import type { EmulatorError } from '../../protocol';
import { createQueryService, queryForm } from '../../query';
import type { RequestContext, ServiceModule } from '../../server';
import type { World } from '../../world';
import { createElbv2Service } from '../elbv2';
import { API_VERSION, NAMESPACE, operations } from './api';

export { ACTIONS as ELB_ACTIONS } from './api';
export { resumeReleases as resumeClassicInterfaceReleases } from './state';

/** The Classic API alone (Version 2012-06-01). */
export function createClassicElbService(world: World): ServiceModule {
  return createQueryService(world, { name: 'elasticloadbalancing', protocol: 'awsQuery', namespace: NAMESPACE, version: API_VERSION, checkVersion: true, throttleCode: 'Throttling', operations: operations() });
}

/** Both APIs on the one endpoint, told apart by Version as AWS does. */
export function createElasticLoadBalancingService(world: World): ServiceModule {
  const classic = createClassicElbService(world);
  const v2 = createElbv2Service(world);
  return {
    name: 'elasticloadbalancing',
    handle: (ctx: RequestContext) => (queryForm(ctx).get('Version') === API_VERSION ? classic : v2).handle(ctx),
    // Both speak awsQuery: their errors render alike.
    renderError: (res: ServerResponse, error: EmulatorError) => v2.renderError(res, error),
  };
}

/**
 * The local Auto Scaling endpoint (awsQuery, Version 2011-01-01, signing name `autoscaling`):
 * views of the groups in world.autoScaling (managed nodegroups' groups, which EKS makes, and the
 * groups stacks make) and their instances in world.ec2, and the writes that scale a stack's group
 * or replace one of its instances (stack-groups.ts, activities.ts). See state.ts for the lookups,
 * api.ts for the actions, shapes.ts for the answers; the dispatch is query/dispatch.ts.
 */
import { createQueryService } from '../../query';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { API_VERSION, NAMESPACE, operationsOver } from './api';
import { AutoScalingReads } from './state';

export { ACTIONS as AUTO_SCALING_ACTIONS, NAMESPACE as AUTO_SCALING_NAMESPACE } from './api';
export { AutoScalingReads } from './state';
export { resumeTerminations } from './activities';

export function createAutoScalingService(world: World): ServiceModule {
  return createQueryService(world, {
    name: 'autoscaling',
    protocol: 'awsQuery',
    namespace: NAMESPACE,
    version: API_VERSION,
    checkVersion: false,
    throttleCode: 'Throttling',
    operations: operationsOver(new AutoScalingReads(world)),
  });
}

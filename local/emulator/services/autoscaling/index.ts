/**
 * The local Auto Scaling endpoint (awsQuery, Version 2011-01-01, signing name `autoscaling`):
 * read-only views of the managed nodegroups' groups in world.autoScaling and their instances in
 * world.ec2. See state.ts for the lookups, api.ts for the actions, shapes.ts for the answers.
 */
import type { ServerResponse } from 'node:http';
import { parseForm, sendQueryError, sendQueryResult, type EmulatorError } from '../../protocol';
import type { ServiceModule } from '../../server';
import type { World } from '../../world';
import { NAMESPACE, runAction } from './api';
import { AutoScalingReads } from './state';

export { ACTIONS as AUTO_SCALING_ACTIONS, NAMESPACE as AUTO_SCALING_NAMESPACE } from './api';
export { AutoScalingReads } from './state';

export function createAutoScalingService(world: World): ServiceModule {
  const reads = new AutoScalingReads(world);
  return {
    name: 'autoscaling',
    handle: async (ctx) => {
      // The CLI and SDKs POST a form; a GET with the same query string is accepted too.
      const form = parseForm(ctx.body || ctx.url.search.slice(1));
      const action = form.get('Action') ?? '';
      ctx.world.calls.push(`autoscaling:${action}`);
      ctx.world.faults.checkCall('autoscaling', action, 'Throttling');
      sendQueryResult(ctx.res, action, NAMESPACE, runAction(action, form, reads));
    },
    renderError: (res: ServerResponse, error: EmulatorError) => sendQueryError(res, error.status, error.code, error.message),
  };
}

/** GET /clusters/{name}/kubeconfig: YAML using the `aws eks get-token` exec plugin; no credentials in it. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { renderKubeconfig } from '../domain/kubeconfig';
import { ownedCluster } from './access';
import { problem } from './problem';
import type { ApiDeps, ApiRequest } from './request';

export async function getKubeconfig(request: ApiRequest, deps: ApiDeps, name: string): Promise<APIGatewayProxyResult> {
  const found = await ownedCluster(request, deps, name);
  if ('denied' in found) return found.denied;
  const eks = await deps.eks.describeCluster(name);
  if (!eks?.endpoint || !eks.certificateAuthority?.data || !eks.arn) {
    return problem({ status: 409, title: 'Cluster not ready', detail: `cluster ${name} has no API endpoint yet (${eks?.status ?? found.cluster.status}); ask again when it is ACTIVE` });
  }
  const body = renderKubeconfig({ name, arn: eks.arn, endpoint: eks.endpoint, certificateAuthorityData: eks.certificateAuthority.data, region: deps.settings.region() });
  return { statusCode: 200, headers: { 'content-type': 'application/yaml', 'content-disposition': `attachment; filename="${name}.kubeconfig"` }, body };
}

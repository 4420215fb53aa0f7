/**
 * A kubeconfig for one cluster, as `aws eks update-kubeconfig` writes it: the cluster's endpoint
 * and CA, and a user that gets its token from the exec plugin `aws eks get-token` (a presigned
 * STS GetCallerIdentity URL; REFERENCE "Kubernetes authentication"). It holds no secret.
 */
import { dump } from 'js-yaml';

export interface KubeconfigCluster {
  name: string;
  arn: string;
  endpoint: string;
  certificateAuthorityData: string;
  region: string;
}

export function renderKubeconfig(cluster: KubeconfigCluster): string {
  const id = cluster.arn;
  return dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: id, cluster: { server: cluster.endpoint, 'certificate-authority-data': cluster.certificateAuthorityData } }],
      contexts: [{ name: id, context: { cluster: id, user: id } }],
      'current-context': id,
      preferences: {},
      users: [
        {
          name: id,
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: 'aws',
              args: ['--region', cluster.region, 'eks', 'get-token', '--cluster-name', cluster.name, '--output', 'json'],
              interactiveMode: 'Never',
              provideClusterInfo: false,
            },
          },
        },
      ],
    },
    { lineWidth: -1, noRefs: true },
  );
}

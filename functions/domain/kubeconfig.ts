/**
 * A kubeconfig for one cluster, as `aws eks update-kubeconfig` writes it: the cluster's endpoint
 * and CA, and a user that gets its token from the exec plugin `aws eks get-token` (a presigned
 * STS GetCallerIdentity URL; REFERENCE "Kubernetes authentication"). It holds no secret.
 *
 * Written with a small block-YAML writer for this one document rather than a YAML library: the
 * API function would carry 46 KB of js-yaml for it (cold start). Every string is double-quoted
 * JSON, which YAML reads as the same string, so no value can break the document.
 */

export interface KubeconfigCluster {
  name: string;
  arn: string;
  endpoint: string;
  certificateAuthorityData: string;
  region: string;
}

export function renderKubeconfig(cluster: KubeconfigCluster): string {
  const id = cluster.arn;
  const config: Yaml = {
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
  };
  return `${blockYaml(config, 0).join('\n')}\n`;
}

type Yaml = string | number | boolean | Yaml[] | { [key: string]: Yaml };

/** Block-style YAML lines for plain data; empty maps and lists as {} and []. */
function blockYaml(value: Yaml, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const lines = isScalarOrEmpty(item) ? [scalar(item)] : blockYaml(item, indent + 2).map((line) => line.slice(indent + 2));
      return [`${pad}- ${lines[0]}`, ...lines.slice(1).map((line) => `${pad}  ${line}`)];
    });
  }
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => (isScalarOrEmpty(item) ? [`${pad}${key}: ${scalar(item)}`] : [`${pad}${key}:`, ...blockYaml(item, indent + 2)]));
  }
  return [`${pad}${scalar(value)}`];
}

function isScalarOrEmpty(value: Yaml): boolean {
  return typeof value !== 'object' || (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);
}

function scalar(value: Yaml): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object') return '{}';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

import { load } from 'js-yaml';
import { renderKubeconfig } from '../../../functions/domain/kubeconfig';

const CLUSTER = { name: 'demo', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/demo', endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthorityData: 'LS0tLS1CRUdJTg==', region: 'us-east-1' };

describe('kubeconfig', () => {
  it('reads back, with a YAML parser, as the kubeconfig aws eks update-kubeconfig writes', () => {
    expect(load(renderKubeconfig(CLUSTER))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: CLUSTER.arn, cluster: { server: CLUSTER.endpoint, 'certificate-authority-data': CLUSTER.certificateAuthorityData } }],
      contexts: [{ name: CLUSTER.arn, context: { cluster: CLUSTER.arn, user: CLUSTER.arn } }],
      'current-context': CLUSTER.arn,
      preferences: {},
      users: [
        {
          name: CLUSTER.arn,
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['--region', 'us-east-1', 'eks', 'get-token', '--cluster-name', 'demo', '--output', 'json'], interactiveMode: 'Never', provideClusterInfo: false } },
        },
      ],
    });
  });

  it('keeps values that look like YAML syntax as plain strings', () => {
    const odd = { ...CLUSTER, name: 'yes', endpoint: 'https://x: y # z', certificateAuthorityData: '- [a]' };

    const config = load(renderKubeconfig(odd)) as { clusters: Array<{ cluster: Record<string, unknown> }>; users: Array<{ user: { exec: { args: unknown[] } } }> };

    expect(config.clusters[0]!.cluster).toEqual({ server: 'https://x: y # z', 'certificate-authority-data': '- [a]' });
    expect(config.users[0]!.user.exec.args).toContain('yes');
  });
});

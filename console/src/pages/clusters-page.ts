/** The clusters the caller may see: status, version and its support window, owner, running operation. */
import { html } from 'htm/preact';
import { call, enc } from '../api/client';
import type { ClusterDetail, ClusterSummary } from '../api/types';
import { useResource } from '../api/use-resource';
import { Loading, ProblemBanner, StatusBadge, Time } from '../components/common';
import { VersionSupportNote } from '../components/version-support';
import { href } from '../router';

const SETTLED = ['ACTIVE', 'FAILED'];

/** Every page of GET /clusters, each with its detail (versionSupport is only there). */
async function loadClusters(): Promise<ClusterDetail[]> {
  const summaries: ClusterSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await call<{ clusters: ClusterSummary[]; nextCursor?: string }>('GET', `/clusters?limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    summaries.push(...page.clusters);
    cursor = page.clusters.length ? page.nextCursor : undefined;
  } while (cursor);
  // A cluster deleted between the two reads is just left out.
  const details = await Promise.all(summaries.map((c) => call<ClusterDetail>('GET', `/clusters/${enc(c.name)}`).catch(() => undefined)));
  return details.filter((d): d is ClusterDetail => d !== undefined);
}

export function ClustersPage() {
  const clusters = useResource(loadClusters, [], (list) => list.some((c) => !SETTLED.includes(c.status)), 2000);
  return html`<section aria-labelledby="clusters-title">
    <div class="title-row">
      <h1 id="clusters-title">Clusters</h1>
      <a class="button primary" href=${href.create()}>Create cluster</a>
      <button type="button" onClick=${clusters.reload}>Refresh</button>
    </div>
    <${ProblemBanner} error=${clusters.error} />
    ${!clusters.data
      ? clusters.loading ? html`<${Loading} />` : null
      : clusters.data.length === 0
        ? html`<p>No clusters yet. <a href=${href.create()}>Create one</a>.</p>`
        : html`<table class="list">
            <caption class="visually-hidden">Clusters</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Version</th><th scope="col">Support</th><th scope="col">Owner</th><th scope="col">Operation</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              ${clusters.data.map(
                (c) => html`<tr>
                  <th scope="row"><a href=${href.cluster(c.name)}>${c.name}</a></th>
                  <td><${StatusBadge} status=${c.status} /></td>
                  <td>${c.live?.kubernetesVersion ?? c.kubernetesVersion ?? '—'}</td>
                  <td><${VersionSupportNote} cluster=${c} /></td>
                  <td><code>${c.owner}</code></td>
                  <td>${c.currentOperation ? html`<a href=${href.operation(c.currentOperation.id)}>running</a>` : '—'}</td>
                  <td><${Time} iso=${c.updatedAt} /></td>
                </tr>`,
              )}
            </tbody>
          </table>`}
  </section>`;
}

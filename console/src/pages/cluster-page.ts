/** One cluster: its state and version support, endpoint access, nodegroups (with their Ready nodes at the workflow's last look), Fargate profiles, add-ons, access entries, its event log, and delete and upgrade. */
import { html } from 'htm/preact';
import { call, enc } from '../api/client';
import type { ClusterDetail, NodegroupReadyNodes } from '../api/types';
import { useResource } from '../api/use-resource';
import { Loading, ProblemBanner, StatusBadge, Time } from '../components/common';
import { EventLogView } from '../components/event-log-view';
import { VersionSupportNote } from '../components/version-support';
import { href } from '../router';
import { DeleteAction, UpgradeAction } from './cluster-actions';

export function ClusterPage({ name }: { name: string }) {
  const res = useResource(() => call<ClusterDetail>('GET', `/clusters/${enc(name)}`), [name], (c) => c.currentOperation !== null, 2000);
  const cluster = res.data;
  return html`<section aria-labelledby="cluster-title">
    <div class="title-row">
      <h1 id="cluster-title">Cluster ${name}</h1>
      ${cluster && cluster.status === 'ACTIVE' ? html`<${UpgradeAction} cluster=${cluster} />` : null}
      ${cluster && (cluster.status === 'ACTIVE' || cluster.status === 'FAILED') ? html`<${DeleteAction} cluster=${cluster} />` : null}
    </div>
    <${ProblemBanner} error=${res.error} />
    ${!cluster ? (res.loading ? html`<${Loading} />` : null) : html`<${ClusterDetails} cluster=${cluster} />`}
    <${EventLogView} cluster=${name} refreshKey=${cluster?.currentOperation?.id ?? cluster?.updatedAt} />
  </section>`;
}

function ClusterDetails({ cluster }: { cluster: ClusterDetail }) {
  const live = cluster.live;
  const addons = cluster.spec.addons ?? [];
  // EKS lists only managed nodegroups; the spec has the rest.
  const selfManaged = cluster.spec.selfManagedNodeGroups ?? [];
  return html`<dl class="facts">
      <dt>Status</dt><dd><${StatusBadge} status=${cluster.status} />${cluster.currentOperation ? html` <a href=${href.operation(cluster.currentOperation.id)}>operation running</a>` : null}</dd>
      <dt>Kubernetes</dt><dd>${live?.kubernetesVersion ?? cluster.kubernetesVersion} — <${VersionSupportNote} cluster=${cluster} /></dd>
      <dt>Owner</dt><dd><code>${cluster.owner}</code></dd>
      <dt>Created</dt><dd><${Time} iso=${cluster.createdAt} /></dd>
      ${live
        ? html`<dt>Endpoint</dt><dd><code>${live.endpoint ?? '—'}</code></dd>
            <dt>Endpoint access</dt><dd>${[live.endpointAccess.public ? `public (${live.endpointAccess.publicAccessCidrs.join(', ')})` : '', live.endpointAccess.private ? 'private' : ''].filter(Boolean).join(' and ') || 'none'}</dd>
            <dt>Authentication</dt><dd>${live.authenticationMode ?? '—'}</dd>`
        : html`<dt>Live state</dt><dd>not yet: the control plane does not exist</dd>`}
    </dl>
    ${live
      ? html`<h2>Nodegroups</h2>
          ${live.nodegroups.length
            ? html`<table class="list" id="nodegroups">
                <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Ready</th><th scope="col">Nodes (desired)</th><th scope="col">Min–max</th><th scope="col">Instance types</th><th scope="col">Capacity</th></tr></thead>
                <tbody>${live.nodegroups.map(
                  (ng) => html`<tr>
                    <th scope="row">${ng.name}</th>
                    <td><${StatusBadge} status=${ng.status} /></td>
                    <td><${ReadyCount} nodes=${cluster.readyNodes?.[ng.name]} /></td>
                    <td>${ng.scaling?.desiredSize ?? '—'}</td>
                    <td>${ng.scaling?.minSize ?? '—'}–${ng.scaling?.maxSize ?? '—'}</td>
                    <td>${(ng.instanceTypes ?? []).join(', ')}</td>
                    <td>${ng.capacityType ?? '—'}</td>
                  </tr>`,
                )}</tbody>
              </table>
              <p class="muted">Ready is the count when the workflow last waited for the nodegroup's nodes, not a live one.</p>`
            : html`<p>None.</p>`}
          ${selfManaged.length
            ? html`<h2>Self-managed nodegroups</h2>
                <table class="list" id="self-managed-nodegroups">
                  <thead><tr><th scope="col">Name</th><th scope="col">Ready</th><th scope="col">Nodes (desired)</th><th scope="col">Min–max</th><th scope="col">Instance types</th></tr></thead>
                  <tbody>${selfManaged.map(
                    (ng) => html`<tr>
                      <th scope="row">${ng.name}</th>
                      <td><${ReadyCount} nodes=${cluster.readyNodes?.[ng.name]} /></td>
                      <td>${ng.desiredSize ?? '—'}</td>
                      <td>${ng.minSize ?? '—'}–${ng.maxSize ?? '—'}</td>
                      <td>${(ng.instanceTypes ?? []).join(', ')}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
            : null}
          <h2>Fargate profiles</h2>
          ${live.fargateProfiles.length
            ? html`<ul>${live.fargateProfiles.map((p) => html`<li><strong>${p.name}</strong> <${StatusBadge} status=${p.status} /> namespaces ${(p.selectors ?? []).map((s) => s.namespace).join(', ')}</li>`)}</ul>`
            : html`<p>None.</p>`}
          <h2>Add-ons</h2>
          ${addons.length ? html`<ul>${addons.map((a) => html`<li><strong>${a.name}</strong> ${a.version ?? "EKS's default version"}</li>`)}</ul>` : html`<p>None.</p>`}
          <h2>Access entries</h2>
          ${live.accessEntries.length ? html`<ul>${live.accessEntries.map((arn) => html`<li><code>${arn}</code></li>`)}</ul>` : html`<p>None.</p>`}`
      : null}`;
}

/** "Ready 2/2 (as of …)": the count at the workflow's last look, dated so nobody takes it for a live one. */
function ReadyCount({ nodes }: { nodes: NodegroupReadyNodes | undefined }) {
  if (!nodes) return html`<span class="muted">not looked at yet</span>`;
  return html`<span class=${nodes.ready < nodes.desired ? 'ready-short' : 'ready-full'}>Ready ${nodes.ready}/${nodes.desired}</span> <span class="muted">(as of <${Time} iso=${nodes.observedAt} />)</span>`;
}

/** The console's shell: the header, skip link and the page the hash route names. */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { apiBase } from './api/client';
import { ClusterPage } from './pages/cluster-page';
import { ClustersPage } from './pages/clusters-page';
import { CreatePage } from './pages/create-page';
import { OperationPage } from './pages/operation-page';
import { SettingsPage } from './pages/settings-page';
import { href, useRoute, type Route } from './router';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'clusters':
      return html`<${ClustersPage} />`;
    case 'create':
      return html`<${CreatePage} />`;
    case 'cluster':
      return html`<${ClusterPage} key=${route.name} name=${route.name} />`;
    case 'operation':
      return html`<${OperationPage} key=${route.id} id=${route.id} />`;
    case 'settings':
      return html`<${SettingsPage} />`;
    default:
      return html`<section><h1>Not found</h1><p>No page ${route.path}. <a href=${href.clusters()}>Clusters</a>.</p></section>`;
  }
}

export function App() {
  const route = useRoute();
  // Going to another page moves focus to its content (screen readers announce it); the first
  // page leaves focus at the top, so the first Tab reaches the skip link as on any page load.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus();
  }, [route]);
  return html`<a class="skip" href="#main" onClick=${(e: Event) => (e.preventDefault(), document.getElementById('main')?.focus())}>Skip to content</a>
    <header>
      <a class="brand" href=${href.clusters()}>eks-provisioner</a>
      <nav aria-label="Main">
        <a href=${href.clusters()} aria-current=${route.page === 'clusters' ? 'page' : undefined}>Clusters</a>
        <a href=${href.create()} aria-current=${route.page === 'create' ? 'page' : undefined}>Create</a>
        <a href=${href.settings()} aria-current=${route.page === 'settings' ? 'page' : undefined}>Settings</a>
      </nav>
      <span class="api-base" title="API base URL">${apiBase() || 'same origin'}</span>
    </header>
    <main id="main" tabIndex="-1"><${Page} route=${route} /></main>`;
}

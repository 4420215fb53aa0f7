/** Where the API is: the same origin by default (local mode), or a deployed API's base URL. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { apiBase, setApiBase } from '../api/client';

export function SettingsPage() {
  const [value, setValue] = useState(apiBase());
  const [saved, setSaved] = useState(false);
  const save = (e: Event) => {
    e.preventDefault();
    setApiBase(value);
    setSaved(true);
  };
  return html`<section aria-labelledby="settings-title">
    <h1 id="settings-title">Settings</h1>
    <form onSubmit=${save}>
      <div class="field">
        <label for="api-base">API base URL</label>
        <input id="api-base" type="url" value=${value} placeholder=${location.origin} aria-describedby="api-base-hint" onInput=${(e: Event) => (setValue((e.target as HTMLInputElement).value), setSaved(false))} />
        <small class="hint" id="api-base-hint">Empty: the origin this console is served from. A deployed API needs SigV4-signed requests, so point this at a signing proxy in front of it; the API must allow this origin (CORS).</small>
      </div>
      <div class="actions"><button type="submit" class="primary">Save</button></div>
      ${saved ? html`<p role="status">Saved: requests go to ${apiBase() || location.origin}.</p>` : null}
    </form>
  </section>`;
}

/** The console's entry: renders the app into <div id="app">. */
import { html, render } from 'htm/preact';
import { App } from './app';

render(html`<${App} />`, document.getElementById('app')!);

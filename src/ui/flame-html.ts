// A self-contained HTML flame graph: one file, no external resources, opens offline from file://.
// The profile is embedded once as FlameData JSON (a merged prefix tree in parallel arrays plus self
// weights per node and thread); the page's script lays it out and draws it on a canvas.
import type { StackProfile } from '../analysis/stack-profile.js';
import { flameData, type FlameOptions } from './flame-data.js';
import { FLAME_CSS, FLAME_JS } from './flame-page.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function toFlameHtml(p: StackProfile, opts: FlameOptions = {}): string {
  const data = flameData(p, opts);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kscope">
<title>${escapeHtml(data.title)}</title>
<style>${FLAME_CSS}</style>
</head>
<body>
<header>
<h1 id="title">${escapeHtml(data.title)}</h1>
<div id="subtitle">${escapeHtml(data.subtitle)}</div>
<div id="controls">
<label>Search <input id="search" type="search" placeholder="regex or text (Ctrl+F)" autocomplete="off" spellcheck="false" aria-describedby="matched"></label>
<span id="matched" role="status" aria-live="polite"></span>
<label>Show <select id="threads" aria-label="Process or thread"></select></label>
<button id="icicle" type="button" aria-pressed="false" title="Root at the top (icicle) or at the bottom (flame)">Icicle</button>
<button id="reset" type="button" title="Zoom back to all (Esc)">Reset zoom</button>
</div>
</header>
<div id="wrap"><canvas id="flame" role="img" aria-label="${escapeHtml(`Flame graph: ${data.subtitle}`)}"></canvas></div>
<div id="details">&nbsp;</div>
<div id="tip" role="tooltip"></div>
<script type="application/json" id="flame-data">${scriptJson(data)}</script>
<script>${FLAME_JS}</script>
</body>
</html>
`;
}

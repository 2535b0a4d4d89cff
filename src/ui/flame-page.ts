// The flame graph page's stylesheet and script, kept as strings so the built dist/ carries them and
// the generated HTML needs nothing else (it must open offline from file://). The script reads the
// FlameData JSON embedded in the page and draws on a canvas.
//
// Plain browser JavaScript (no template literals or `${`: this file is one String.raw literal).

export const FLAME_CSS = String.raw`
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Verdana, sans-serif; color: #222; background: #eeeeee; }
header { padding: 10px 14px 6px; background: linear-gradient(#eeeeee, #eeeeb0); border-bottom: 1px solid #ccc; }
h1 { margin: 0; font-size: 18px; text-align: center; }
#subtitle { text-align: center; color: #555; font-size: 13px; }
#controls { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin-top: 8px; }
#controls label { font-size: 13px; }
#controls input[type=search] { font-size: 14px; padding: 3px 6px; width: 18em; }
#controls select, #controls button { font-size: 13px; padding: 3px 8px; }
button[aria-pressed=true] { background: #d0d0ff; }
#matched { font-weight: 600; min-width: 9em; }
#wrap { position: relative; padding: 4px 10px; }
canvas { display: block; width: 100%; cursor: pointer; }
#details { padding: 4px 14px; min-height: 1.6em; font-size: 13px; font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#tip { position: fixed; pointer-events: none; background: #fffff0; border: 1px solid #888; padding: 4px 8px; font-size: 13px; max-width: 60em; box-shadow: 2px 2px 4px rgba(0,0,0,.2); display: none; z-index: 2; word-break: break-all; }
#tip b { font-weight: 600; }
`;

export const FLAME_JS = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('flame-data').textContent);
  var N = D.parent.length;
  var parent = Int32Array.from(D.parent), nameOf = Int32Array.from(D.name), kindOf = Uint8Array.from(D.kind), modOf = Int32Array.from(D.module);
  var depth = new Int32Array(N);
  for (var i = 1; i < N; i++) depth[i] = depth[parent[i]] + 1;
  var kids = [];
  for (i = 0; i < N; i++) kids.push([]);
  for (i = 1; i < N; i++) kids[parent[i]].push(i);
  function byName(a, b) { var x = D.names[nameOf[a]], y = D.names[nameOf[b]]; return x < y ? -1 : x > y ? 1 : kindOf[a] - kindOf[b]; }
  for (i = 0; i < N; i++) if (kids[i].length > 1) kids[i].sort(byName);

  var FH = 18, PAD_TOP = 6, PAD_BOTTOM = 6, FONT = '12px Verdana, "DejaVu Sans", sans-serif', KIND = ['user', 'kernel', 'JIT'];
  var canvas = document.getElementById('flame'), ctx = canvas.getContext('2d');
  var tip = document.getElementById('tip'), details = document.getElementById('details');
  var search = document.getElementById('search'), matchedEl = document.getElementById('matched');
  var threadSel = document.getElementById('threads'), icicleBtn = document.getElementById('icicle'), resetBtn = document.getElementById('reset');

  var total = new Float64Array(N), selected = new Uint8Array(D.threads.length), matched = new Uint8Array(N);
  var zoom = 0, icicle = false, maxDepth = 0, rects = [], hover = -1, query = null, cssWidth = 0;

  // Thread selector: all, then each process with its threads.
  (function () {
    var all = document.createElement('option'); all.value = 'all'; all.textContent = 'All processes and threads'; threadSel.appendChild(all);
    D.processes.forEach(function (pr) {
      var g = document.createElement('optgroup'); g.label = pr[1] + ' (pid ' + pr[0] + ')';
      var o = document.createElement('option'); o.value = 'p:' + pr[0]; o.textContent = 'Process ' + pr[1] + ' (pid ' + pr[0] + ')'; g.appendChild(o);
      D.threads.forEach(function (t, ti) {
        if (t[0] !== pr[0]) return;
        var ot = document.createElement('option'); ot.value = 't:' + ti; ot.textContent = '\u00a0\u00a0Thread ' + t[2] + ' (tid ' + t[1] + ')'; g.appendChild(ot);
      });
      threadSel.appendChild(g);
    });
  })();

  function recompute() {
    var v = threadSel.value;
    for (var t = 0; t < D.threads.length; t++) {
      selected[t] = v === 'all' ? 1 : v.charAt(0) === 'p' ? (D.threads[t][0] === +v.slice(2) ? 1 : 0) : (t === +v.slice(2) ? 1 : 0);
    }
    total.fill(0);
    var s = D.self;
    for (var k = 0; k < s.length; k += 3) if (selected[s[k + 1]]) total[s[k]] += s[k + 2];
    for (var n = N - 1; n > 0; n--) total[parent[n]] += total[n];
    maxDepth = 0;
    for (n = 0; n < N; n++) if (total[n] > 0 && depth[n] > maxDepth) maxDepth = depth[n];
    if (total[zoom] === 0) zoom = 0;
  }

  // Colours after flamegraph.pl --hash: a stable hue per name; hot for user code, orange for the
  // kernel, green for JIT code, magenta for search matches.
  function namehash(name) {
    var vector = 0, weight = 1, max = 1, mod = 10;
    for (var c = 0; c < name.length; c++) {
      var i = name.charCodeAt(c) % mod;
      vector += (i / (mod++ - 1)) * weight;
      max += weight;
      weight *= 0.7;
      if (mod > 12) break;
    }
    return 1 - vector / max;
  }
  var colourCache = new Map();
  function colour(n) {
    if (matched[n]) return 'rgb(230,0,230)';
    var key = nameOf[n] * 4 + kindOf[n];
    var c = colourCache.get(key);
    if (c) return c;
    var name = D.names[nameOf[n]];
    var v1 = namehash(name), v2 = namehash(name.split('').reverse().join(''));
    var r, g, b;
    if (n === 0) { r = 200; g = 200; b = 200 + Math.floor(40 * v1); }
    else if (kindOf[n] === 1) { r = 190 + Math.floor(65 * v1); g = 90 + Math.floor(65 * v1); b = 0; }
    else if (kindOf[n] === 2) { r = 50 + Math.floor(60 * v1); g = 200 + Math.floor(55 * v1); b = 50 + Math.floor(60 * v1); }
    else { r = 205 + Math.floor(50 * v2); g = Math.floor(230 * v1); b = Math.floor(55 * v2); }
    c = 'rgb(' + r + ',' + g + ',' + b + ')';
    colourCache.set(key, c);
    return c;
  }

  function yOf(d, h) { return icicle ? PAD_TOP + d * FH : h - PAD_BOTTOM - (d + 1) * FH; }

  function layout() {
    cssWidth = canvas.parentElement.clientWidth - 20;
    var h = PAD_TOP + PAD_BOTTOM + (maxDepth + 1) * FH;
    rects = [];
    // The zoomed frame's ancestors span the width, drawn faded.
    for (var a = parent[zoom]; a >= 0; a = parent[a]) rects.push({ n: a, x: 0, w: cssWidth, d: depth[a], anc: true });
    var scale = total[zoom] > 0 ? cssWidth / total[zoom] : 0;
    var stack = [zoom, 0];
    while (stack.length) {
      var x = stack.pop(), n = stack.pop(), w = total[n] * scale;
      if (w < 0.4) continue;
      rects.push({ n: n, x: x, w: w, d: depth[n], anc: false });
      var ks = kids[n], cx = x, tmp = [];
      for (var k = 0; k < ks.length; k++) { if (total[ks[k]] > 0) { tmp.push(ks[k], cx); cx += total[ks[k]] * scale; } }
      for (k = tmp.length - 2; k >= 0; k -= 2) stack.push(tmp[k], tmp[k + 1]);
    }
    for (var r = 0; r < rects.length; r++) rects[r].y = yOf(rects[r].d, h);
    return h;
  }

  var textWidth = new Map();
  function label(n, w) {
    var s = D.names[nameOf[n]];
    if (w < 20) return '';
    var tw = textWidth.get(s);
    if (tw === undefined) { tw = ctx.measureText(s).width; textWidth.set(s, tw); }
    if (tw <= w - 6) return s;
    var keep = Math.floor(s.length * (w - 6) / tw) - 2;
    while (keep > 0 && ctx.measureText(s.slice(0, keep) + '..').width > w - 6) keep--;
    return keep >= 1 ? s.slice(0, keep) + '..' : '';
  }

  function draw() {
    var h = layout(), dpr = window.devicePixelRatio || 1;
    canvas.style.height = h + 'px';
    canvas.width = Math.round(cssWidth * dpr);
    canvas.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, h);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    for (var r = 0; r < rects.length; r++) {
      var R = rects[r];
      ctx.globalAlpha = R.anc ? 0.55 : 1;
      ctx.fillStyle = colour(R.n);
      ctx.fillRect(R.x, R.y, Math.max(R.w - 0.5, 0.4), FH - 1);
      if (R.n === hover) { ctx.strokeStyle = '#000'; ctx.lineWidth = 1; ctx.strokeRect(R.x + 0.5, R.y + 0.5, Math.max(R.w - 1.5, 0.5), FH - 2); }
      var t = label(R.n, R.w);
      if (t) { ctx.fillStyle = '#000'; ctx.fillText(t, R.x + 3, R.y + FH / 2); }
    }
    ctx.globalAlpha = 1;
    if (total[0] === 0) { ctx.fillStyle = '#555'; ctx.fillText('No samples' + (threadSel.value === 'all' ? '' : ' for this selection'), 4, h / 2); }
    resetBtn.disabled = zoom === 0;
    updateMatched();
  }

  function pct(v, of) { return of > 0 ? (100 * v / of).toFixed(2) + '%' : '0%'; }
  function fmt(v) { return Math.round(v).toLocaleString('en-US'); }
  function describe(n) {
    var s = D.names[nameOf[n]], m = modOf[n];
    return s + (m >= 0 ? ' [' + D.modules[m] + ']' : '') + ' (' + fmt(total[n]) + ' ' + D.unit + ', ' + pct(total[n], total[0]) + ')';
  }

  function hit(ev) {
    var b = canvas.getBoundingClientRect(), x = ev.clientX - b.left, y = ev.clientY - b.top;
    for (var r = rects.length - 1; r >= 0; r--) {
      var R = rects[r];
      if (x >= R.x && x < R.x + R.w && y >= R.y && y < R.y + FH) return R;
    }
    return null;
  }

  canvas.addEventListener('mousemove', function (ev) {
    var R = hit(ev), n = R ? R.n : -1;
    if (n !== hover) { hover = n; draw(); }
    if (!R) { tip.style.display = 'none'; details.textContent = '\u00a0'; return; }
    var m = modOf[n], name = D.names[nameOf[n]];
    tip.textContent = '';
    var b = document.createElement('b'); b.textContent = name; tip.appendChild(b);
    tip.appendChild(document.createElement('br'));
    tip.appendChild(document.createTextNode(fmt(total[n]) + ' ' + D.unit + ' (' + pct(total[n], total[0]) + ' of total' + (zoom ? ', ' + pct(total[n], total[zoom]) + ' of zoom' : '') + ')'));
    if (n !== 0) { tip.appendChild(document.createElement('br')); tip.appendChild(document.createTextNode(KIND[kindOf[n]] + (m >= 0 ? ' \u00b7 ' + D.modules[m] : ''))); }
    tip.style.display = 'block';
    var tx = ev.clientX + 14, ty = ev.clientY + 14;
    if (tx + tip.offsetWidth > window.innerWidth - 4) tx = Math.max(4, ev.clientX - tip.offsetWidth - 10);
    if (ty + tip.offsetHeight > window.innerHeight - 4) ty = Math.max(4, ev.clientY - tip.offsetHeight - 10);
    tip.style.left = tx + 'px'; tip.style.top = ty + 'px';
    details.textContent = 'Function: ' + describe(n);
  });
  canvas.addEventListener('mouseleave', function () { hover = -1; tip.style.display = 'none'; draw(); });
  canvas.addEventListener('click', function (ev) {
    var R = hit(ev);
    if (!R) return;
    zoom = R.n;
    draw();
  });

  function setZoom(n) { zoom = n; draw(); }
  resetBtn.addEventListener('click', function () { setZoom(0); });
  icicleBtn.addEventListener('click', function () {
    icicle = !icicle;
    icicleBtn.setAttribute('aria-pressed', String(icicle));
    draw();
  });
  threadSel.addEventListener('change', function () { recompute(); draw(); });

  function compile(q) {
    if (!q) return null;
    var flags = /[A-Z]/.test(q) ? '' : 'i';
    try { return new RegExp(q, flags); } catch (e) { return new RegExp(q.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'), flags); }
  }
  function applySearch() {
    query = compile(search.value);
    matched.fill(0);
    if (query) for (var n = 1; n < N; n++) if (query.test(D.names[nameOf[n]])) matched[n] = 1;
    draw();
  }
  function updateMatched() {
    if (!query) { matchedEl.textContent = ''; return; }
    // Count each sample once: a match below another match is already inside it.
    var sum = 0, count = 0;
    for (var n = 1; n < N; n++) {
      if (!matched[n] || total[n] === 0) continue;
      count++;
      var inside = false;
      for (var a = parent[n]; a > 0; a = parent[a]) if (matched[a]) { inside = true; break; }
      if (!inside) sum += total[n];
    }
    matchedEl.textContent = 'Matched: ' + pct(sum, total[0]) + ' (' + count + ' frame' + (count === 1 ? '' : 's') + ')';
  }
  var timer = 0;
  search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(applySearch, 120); });
  search.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { clearTimeout(timer); applySearch(); } if (ev.key === 'Escape') { search.value = ''; applySearch(); } });
  document.addEventListener('keydown', function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === 'f') { ev.preventDefault(); search.focus(); search.select(); }
    else if (ev.key === 'Escape' && document.activeElement !== search) setZoom(0);
  });
  window.addEventListener('resize', function () { draw(); });

  // A read-only view for automation and tests: what is drawn where, in CSS pixels of the canvas.
  window.kscopeFlame = {
    rects: function () { return rects.map(function (R) { return { node: R.n, name: D.names[nameOf[R.n]], x: R.x, y: R.y, w: R.w, h: FH, ancestor: R.anc, matched: !!matched[R.n] }; }); },
    state: function () { return { zoom: zoom, icicle: icicle, width: cssWidth, total: total[0], maxDepth: maxDepth, threads: threadSel.value }; },
  };

  recompute();
  draw();
  if (!icicle) window.scrollTo(0, document.body.scrollHeight);
})();
`;

// The review page of `neardup serve`: groups as rows of thumbnails, a pair view with the matched
// region and inlier lines, per-group keep/trash/hardlink/symlink choices, apply and undo.
// Talks only to the server's JSON API (/v1/...); the token comes from the URL fragment
// (#token=...), printed by the server at start, and is sent only in a header.
'use strict';

const PAGE = 50;
const state = {
  token: '',
  offset: 0,
  doc: null,        // the last /v1/groups page
  focus: 0,         // index of the focused group on the page
  choice: new Map(),  // group key -> {keep: path, action: 'trash'|'hardlink'|'symlink'|'none', selected}
  zoom: 0,          // 0 = fit, else a scale factor
  pair: null,
};

const $ = (id) => document.getElementById(id);

function token() {
  const m = /token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('neardup-token', decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname);  // keep it out of the address bar
  }
  return sessionStorage.getItem('neardup-token') || '';
}

function setStatus(text, error) {
  const s = $('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
}

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + state.token},
    body: JSON.stringify(body),
  };
  const res = await fetch(path, opts);
  const json = await res.json().catch(() => ({error: 'not JSON (' + res.status + ')'}));
  if (!res.ok) throw new Error(json.error || ('HTTP ' + res.status));
  return json;
}

const imageUrl = (path, size) =>
  '/v1/image?path=' + encodeURIComponent(path) + (size ? '&size=' + size : '');
const groupKey = (g) => g.files.map((f) => f.path).sort().join('\n');
const human = (n) => n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB'
                                                        : (n / 1048576).toFixed(1) + ' MB';

function choiceOf(g) {
  const k = groupKey(g);
  if (!state.choice.has(k)) {
    const keep = g.files.find((f) => f.keep).path;
    state.choice.set(k, {keep, action: 'trash', selected: true});
  }
  return state.choice.get(k);
}

async function load() {
  try {
    const doc = await api('/v1/groups?offset=' + state.offset + '&limit=' + PAGE);
    if (doc.state !== 'ready') {
      $('summary').textContent = doc.state === 'failed' ? 'scan failed: ' + doc.error
          : 'scanning… ' + doc.done + ' / ' + doc.total;
      setTimeout(load, 500);
      return;
    }
    state.doc = doc;
    state.focus = Math.min(state.focus, Math.max(0, doc.groups.length - 1));
    render();
  } catch (e) {
    setStatus(e.message, true);
  }
}

function render() {
  const doc = state.doc;
  const total = doc.total_groups;
  const dups = doc.groups.reduce((n, g) => n + g.files.length - 1, 0);
  $('summary').textContent = total + ' groups · ' + doc.stats.images + ' images · method ' +
      doc.method;
  $('page-info').textContent = total === 0 ? 'no near-duplicates' :
      'groups ' + (doc.offset + 1) + '–' + (doc.offset + doc.groups.length) + ' of ' + total +
      ' (' + dups + ' duplicates on this page)';
  $('prev-page').disabled = doc.offset === 0;
  $('next-page').disabled = doc.offset + doc.groups.length >= total;
  const main = $('groups');
  main.replaceChildren();
  doc.groups.forEach((g, gi) => {
    const c = choiceOf(g);
    const el = document.createElement('section');
    el.className = 'group' + (gi === state.focus ? ' focused' : '');
    el.dataset.index = gi;
    const head = document.createElement('div');
    head.className = 'group-head';
    const sel = document.createElement('input');
    sel.type = 'checkbox';
    sel.checked = c.selected;
    sel.className = 'select';
    sel.title = 'Include this group when applying (x)';
    sel.onchange = () => { c.selected = sel.checked; };
    const title = document.createElement('b');
    title.textContent = 'Group ' + (doc.offset + gi + 1) + ' (' + g.files.length + ' files)';
    const action = document.createElement('select');
    action.className = 'action';
    for (const a of ['trash', 'hardlink', 'symlink', 'none']) {
      const o = document.createElement('option');
      o.value = a;
      o.textContent = a === 'none' ? 'leave as is' : a + ' the others';
      action.appendChild(o);
    }
    action.value = c.action;
    action.onchange = () => { c.action = action.value; };
    const inspect = document.createElement('button');
    inspect.textContent = 'Inspect pair';
    inspect.className = 'inspect';
    inspect.onclick = () => openPair(g);
    head.append(sel, title, action, inspect);
    const files = document.createElement('div');
    files.className = 'files';
    g.files.forEach((f, fi) => {
      const card = document.createElement('div');
      card.className = 'file' + (f.path === c.keep ? ' keep' : '');
      card.dataset.path = f.path;
      card.title = 'Keep this file (' + (fi + 1) + ')';
      card.onclick = () => { c.keep = f.path; state.focus = gi; render(); };
      const img = document.createElement('img');
      img.loading = 'lazy';
      img.src = imageUrl(f.path, 256);
      img.alt = f.path;
      const meta = document.createElement('div');
      meta.className = 'meta';
      const badge = f.path === c.keep ? '<span class="badge">KEEP</span> ' : '';
      meta.innerHTML = badge + (fi + 1) + '. ';
      meta.append(f.path.split('/').pop(), document.createElement('br'),
                  f.width + '×' + f.height + ' · ' + f.format + ' · ' + human(f.bytes));
      card.append(img, meta);
      files.appendChild(card);
    });
    const reason = document.createElement('div');
    reason.className = 'reason';
    const kept = g.files.find((f) => f.keep);
    reason.textContent = 'Proposed keep: ' + kept.path.split('/').pop() + ' — ' + kept.reason;
    el.append(head, files, reason);
    el.onclick = (ev) => {
      if (ev.target === el) { state.focus = gi; render(); }
    };
    main.appendChild(el);
  });
}

// The plan of the selected groups choosing `action`, as the server's /v1/actions reads it.
function planFor(action) {
  const doc = state.doc;
  const groups = [];
  for (const g of doc.groups) {
    const c = choiceOf(g);
    if (!c.selected || c.action !== action) continue;
    groups.push({files: g.files.map((f) => Object.assign({}, f, {keep: f.path === c.keep}))});
  }
  return {cwd: doc.cwd, roots: doc.roots, groups};
}

async function apply() {
  const plans = ['trash', 'hardlink', 'symlink']
      .map((a) => ({action: a, plan: planFor(a)})).filter((p) => p.plan.groups.length);
  if (!plans.length) return setStatus('Nothing selected to apply.');
  try {
    const previews = [];
    for (const p of plans) {
      const r = await api('/v1/actions', {action: p.action, plan: p.plan, yes: false});
      previews.push(r.done + ' to ' + p.action + (r.skipped ? ' (' + r.skipped + ' skipped)' : ''));
    }
    $('confirm-text').textContent = 'Will ' + previews.join(', ') + '. ';
    $('confirm').hidden = false;
    $('confirm-yes').focus();
    $('confirm-yes').onclick = async () => {
      $('confirm').hidden = true;
      const done = [];
      for (const p of plans) {
        const r = await api('/v1/actions', {action: p.action, plan: p.plan, yes: true});
        done.push(r.done + ' ' + p.action + (r.skipped ? ', ' + r.skipped + ' skipped: ' +
            r.actions.filter((a) => a.outcome !== 'done').map((a) => a.detail).join('; ') : ''));
      }
      setStatus('Applied: ' + done.join(' · ') + '. Undo with u or “Undo last”.');
      state.choice.clear();
      setTimeout(load, 300);
    };
    $('confirm-no').onclick = () => { $('confirm').hidden = true; };
  } catch (e) {
    setStatus(e.message, true);
  }
}

async function undo() {
  try {
    const r = await api('/v1/undo', {});
    setStatus('Undone: ' + r.restored + ' restored' + (r.skipped ? ', ' + r.skipped + ' skipped' : '') +
              (r.failed ? ', ' + r.failed + ' failed' : '') + '.');
    setTimeout(load, 300);
  } catch (e) {
    setStatus(e.message, true);
  }
}

// ---- The pair view: the kept file and the first other one ----
async function openPair(g) {
  const c = choiceOf(g);
  const a = c.keep;
  const b = g.files.find((f) => f.path !== a).path;
  $('pair').hidden = false;
  $('pair-title').textContent = a.split('/').pop() + '  ↔  ' + b.split('/').pop() + ' (loading…)';
  $('pair-text').textContent = '';
  $('pair-a').src = imageUrl(a);
  $('pair-b').src = imageUrl(b);
  try {
    const p = await api('/v1/pair?a=' + encodeURIComponent(a) + '&b=' + encodeURIComponent(b));
    state.pair = p;
    $('pair-title').textContent = a.split('/').pop() + '  ↔  ' + b.split('/').pop();
    const lines = p.verdicts.map((v) => v.text);
    if (p.evidence_text) lines.push('', ...p.evidence_text);
    if (p.notes.length) lines.push('', ...p.notes);
    $('pair-text').textContent = lines.join('\n');
    $('pair-picture').src = p.picture;
    draw();
  } catch (e) {
    $('pair-text').textContent = e.message;
  }
}

function closePair() {
  $('pair').hidden = true;
  state.pair = null;
}

// Sizes both images by the zoom and draws the matched region and the inlier lines' ends.
function draw() {
  const p = state.pair;
  for (const side of ['a', 'b']) {
    const img = $('pair-' + side);
    const canvas = $('over-' + side);
    if (!img.naturalWidth) { img.onload = draw; continue; }
    const pane = img.closest('.pane');
    const fit = Math.min(1, (pane.clientWidth - 4) / img.naturalWidth);
    const scale = state.zoom || fit;
    $('zoom-level').textContent = state.zoom ? Math.round(scale * 100) + '%' : 'fit';
    img.style.width = Math.round(img.naturalWidth * scale) + 'px';
    canvas.width = Math.round(img.naturalWidth * scale);
    canvas.height = Math.round(img.naturalHeight * scale);
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!p || !p.evidence || !p.evidence.verification) continue;
    const size = side === 'a' ? p.size_a : p.size_b;
    const k = canvas.width / size[0];
    const v = p.evidence.verification;
    const region = side === 'a' ? v.region_a : v.region_b;
    if (region) {
      ctx.strokeStyle = '#ffcc00';
      ctx.lineWidth = 3;
      ctx.beginPath();
      region.forEach(([x, y], i) => (i ? ctx.lineTo(x * k, y * k) : ctx.moveTo(x * k, y * k)));
      ctx.closePath();
      ctx.stroke();
    }
    ctx.fillStyle = v.match ? '#00c070' : '#e04040';
    for (const q of p.inliers || []) {
      const x = side === 'a' ? q[0] : q[2], y = side === 'a' ? q[1] : q[3];
      ctx.beginPath();
      ctx.arc(x * k, y * k, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

function onKey(ev) {
  if (ev.target.tagName === 'SELECT' || ev.target.tagName === 'INPUT') return;
  const doc = state.doc;
  if (ev.key === 'Escape') return closePair();
  if (!doc || !doc.groups.length) return;
  const g = doc.groups[state.focus];
  const c = choiceOf(g);
  const k = ev.key;
  if (k === 'j' || k === 'ArrowDown') state.focus = Math.min(doc.groups.length - 1, state.focus + 1);
  else if (k === 'k' || k === 'ArrowUp') state.focus = Math.max(0, state.focus - 1);
  else if (k >= '1' && k <= '9' && g.files[+k - 1]) c.keep = g.files[+k - 1].path;
  else if (k === 't') c.action = 'trash';
  else if (k === 'h') c.action = 'hardlink';
  else if (k === 's') c.action = 'symlink';
  else if (k === 'n') c.action = 'none';
  else if (k === 'x') c.selected = !c.selected;
  else if (k === 'p') return openPair(g);
  else if (k === 'a') return apply();
  else if (k === 'u') return undo();
  else return;
  ev.preventDefault();
  render();
  const el = document.querySelector('.group.focused');
  if (el) el.scrollIntoView({block: 'nearest'});
}

function init() {
  state.token = token();
  if (!state.token) setStatus('No token: open the address the server printed (…/#token=…) to act.');
  $('prev-page').onclick = () => { state.offset = Math.max(0, state.offset - PAGE); state.focus = 0; load(); };
  $('next-page').onclick = () => { state.offset += PAGE; state.focus = 0; load(); };
  $('apply').onclick = apply;
  $('undo').onclick = undo;
  $('rescan').onclick = async () => {
    try { await api('/v1/scan', {}); setTimeout(load, 300); } catch (e) { setStatus(e.message, true); }
  };
  $('pair-close').onclick = closePair;
  $('zoom-in').onclick = () => { state.zoom = (state.zoom || 0.5) * 1.5; draw(); };
  $('zoom-out').onclick = () => { state.zoom = state.zoom ? state.zoom / 1.5 : 0; if (state.zoom && state.zoom < 0.1) state.zoom = 0; draw(); };
  document.addEventListener('keydown', onKey);
  window.addEventListener('resize', draw);
  load();
}

init();

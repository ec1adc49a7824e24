// Watchtower web UI. Everything from the server (file names, messages,
// evidence) is inserted with textContent, never as HTML.
'use strict';
(function () {
  const $ = (s) => document.querySelector(s);
  const SEVS = ['critical', 'high', 'medium', 'low'];
  const params = new URLSearchParams(location.search);
  if (params.get('token')) sessionStorage.setItem('wt-token', params.get('token'));
  const token = sessionStorage.getItem('wt-token');
  let current = null, page = 0, pollTimer = null;
  const PAGE = 50;

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return e;
  }

  async function api(method, path, body) {
    const headers = { 'X-Requested-With': 'watchtower' };
    if (token) headers['X-Watchtower-Token'] = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) { const err = new Error((data && data.error) || r.statusText); err.data = data; err.status = r.status; throw err; }
    return data;
  }

  // ---- form ----
  function selectedType() { return document.querySelector('input[name=type]:checked').value; }
  function showFields() {
    const t = selectedType();
    document.querySelectorAll('.field').forEach((f) => {
      f.classList.toggle('hidden', !f.dataset.for.split(' ').includes(t));
    });
    $('#f-url').placeholder = t === 'huggingface' ? 'https://huggingface.co/OWNER/NAME or hf://OWNER/NAME' : 'https://github.com/OWNER/REPO';
  }
  function clearErrors() { document.querySelectorAll('.err').forEach((e) => { e.textContent = ''; }); }
  function fieldError(name, msg) {
    const e = document.querySelector(`[data-err="${name}"]`) || document.querySelector('[data-err="form"]');
    e.textContent = msg;
  }
  function validate(req) {
    const t = req.type;
    if (t === 'local' && !req.path) return ['path', 'Enter a file or folder path.'];
    if (t === 'github' && !/^(https?|git|ssh):\/\//.test(req.url || '')) return ['url', 'Enter a repository URL such as https://github.com/OWNER/REPO.'];
    if (t === 'huggingface' && !/^(https:\/\/|hf:\/\/)/.test(req.url || '')) return ['url', 'Enter https://huggingface.co/OWNER/NAME or hf://OWNER/NAME.'];
    if (t === 's3' && !req.bucket) return ['bucket', 'Enter a bucket name.'];
    if (req.depth !== undefined && !(Number.isInteger(req.depth) && req.depth >= 1)) return ['depth', 'Depth must be a whole number of at least 1.'];
    return null;
  }
  async function submit(ev) {
    ev.preventDefault();
    clearErrors();
    const fd = new FormData($('#scan-form'));
    const t = selectedType();
    const req = { type: t };
    const fields = { local: ['path'], github: ['url', 'branch', 'depth'], huggingface: ['url'], s3: ['bucket', 'region', 'aws_access_key_id', 'aws_secret_access_key'] }[t];
    for (const k of fields) {
      const v = (fd.get(k) || '').trim();
      if (v) req[k] = k === 'depth' ? Number(v) : v;
    }
    const bad = validate(req);
    if (bad) { fieldError(bad[0], bad[1]); return; }
    $('#start').disabled = true;
    try {
      const r = await api('POST', '/api/scans', req);
      $('#f-secret').value = '';
      openScan(r.id);
    } catch (e) {
      fieldError((e.data && e.data.field) || 'form', e.message);
    } finally { $('#start').disabled = false; }
  }

  // ---- progress and results ----
  function describe(s) {
    const r = s.request || {};
    return r.path || r.url || (r.bucket ? 's3://' + r.bucket : '') || s.id;
  }
  async function openScan(id) {
    current = id; page = 0;
    clearTimeout(pollTimer);
    $('#detail').classList.add('hidden');
    await poll();
  }
  async function poll() {
    if (!current) return;
    let s;
    try { s = await api('GET', `/api/scans/${current}`); } catch (e) { return; }
    if (s.status === 'queued' || s.status === 'running') {
      $('#progress').classList.remove('hidden');
      $('#results').classList.add('hidden');
      $('#p-target').textContent = describe(s);
      const p = s.progress || {};
      const total = p.artifacts_total || 0, done = p.artifacts_done || 0;
      $('#p-bar').style.width = total ? Math.round(100 * done / total) + '%' : '0';
      $('#p-text').textContent = s.status === 'queued' ? 'Queued…' : `${done} of ${total} artifacts scanned, ${fmtBytes(p.bytes_read || 0)} read`;
      $('#p-current').textContent = p.current || '—';
      pollTimer = setTimeout(poll, 500);
      return;
    }
    $('#progress').classList.add('hidden');
    refreshHistory();
    if (s.status === 'failed') {
      $('#results').classList.remove('hidden');
      $('#r-target').textContent = describe(s);
      $('#r-notes').textContent = 'Scan failed: ' + (s.error || 'unknown error');
      $('#r-chart').replaceChildren();
      $('#r-cats').replaceChildren();
      $('#findings tbody').replaceChildren();
      return;
    }
    showResults(s);
  }
  function fmtBytes(n) {
    const u = ['B', 'KB', 'MB', 'GB', 'TB']; let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0) + ' ' + u[i];
  }
  function chart(bySev) {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    const max = Math.max(1, ...SEVS.map((s) => bySev[s] || 0));
    svg.setAttribute('width', '320'); svg.setAttribute('height', String(SEVS.length * 28 + 4));
    svg.setAttribute('role', 'img');
    SEVS.forEach((s, i) => {
      const n = bySev[s] || 0, y = i * 28 + 2;
      const label = document.createElementNS(NS, 'text');
      label.setAttribute('x', '0'); label.setAttribute('y', String(y + 16)); label.textContent = s;
      const bar = document.createElementNS(NS, 'rect');
      bar.setAttribute('x', '80'); bar.setAttribute('y', String(y + 2));
      bar.setAttribute('width', String(Math.max(2, Math.round(200 * n / max)))); bar.setAttribute('height', '18');
      bar.setAttribute('class', 'bar-' + s);
      bar.setAttribute('fill', getComputedStyle(document.documentElement).getPropertyValue('--' + s).trim() || '#888');
      const count = document.createElementNS(NS, 'text');
      count.setAttribute('x', String(86 + Math.max(2, Math.round(200 * n / max)))); count.setAttribute('y', String(y + 16));
      count.textContent = String(n);
      svg.append(label, bar, count);
    });
    return svg;
  }
  function showResults(s) {
    $('#results').classList.remove('hidden');
    $('#r-target').textContent = describe(s);
    const sum = s.summary || {};
    $('#r-chart').replaceChildren(chart(sum.by_severity || {}));
    const cats = el('table', {});
    for (const [k, v] of Object.entries(sum.by_category || {})) cats.append(el('tr', {}, el('td', {}, k), el('td', {}, v)));
    cats.append(el('tr', {}, el('td', {}, 'artifacts'), el('td', {}, sum.artifacts || 0)));
    cats.append(el('tr', {}, el('td', {}, 'read'), el('td', {}, `${fmtBytes(sum.bytes_read || 0)} of ${fmtBytes(sum.bytes_total || 0)}`)));
    $('#r-cats').replaceChildren(cats);
    $('#r-notes').textContent = (sum.notes || []).join(' ');
    for (const k of ['summary', 'detailed', 'severity', 'sarif']) {
      $('#dl-' + k).href = `/api/scans/${s.id}/reports/${k}` + (token ? '?token=' + encodeURIComponent(token) : '');
    }
    loadFindings();
  }
  function locText(f) {
    const l = f.location || {};
    const parts = [];
    if (l.cell !== undefined && l.cell !== null && l.cell >= 0) parts.push(`cell ${l.cell}${l.cell_id ? ' (' + l.cell_id + ')' : ''} ${l.cell_part || ''} line ${l.cell_line || '?'}`);
    if (l.line) parts.push(`line ${l.line}${l.column ? ':' + l.column : ''}`);
    else if (l.offset !== undefined && l.offset !== null) parts.push(`offset ${l.offset}`);
    return parts.join(', ');
  }
  async function loadFindings() {
    if (!current) return;
    const q = new URLSearchParams({ offset: String(page * PAGE), limit: String(PAGE) });
    for (const [k, id] of [['severity', '#flt-sev'], ['category', '#flt-cat'], ['file', '#flt-file'], ['sort', '#flt-sort']]) {
      const v = $(id).value.trim(); if (v) q.set(k, v);
    }
    let r;
    try { r = await api('GET', `/api/scans/${current}/findings?` + q); } catch (e) { return; }
    const body = $('#findings tbody');
    body.replaceChildren();
    for (const f of r.findings) {
      const tr = el('tr', { class: 'finding', tabindex: '0' },
        el('td', {}, el('span', { class: 'sev ' + f.severity }, f.severity)),
        el('td', {}, f.rule_id), el('td', {}, f.artifact), el('td', {}, locText(f)), el('td', {}, f.message));
      tr.addEventListener('click', () => showDetail(f));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') showDetail(f); });
      body.append(tr);
    }
    if (!r.findings.length) body.append(el('tr', {}, el('td', { colspan: '5', class: 'muted' }, 'No findings match.')));
    const pages = Math.max(1, Math.ceil(r.total / PAGE));
    $('#page').textContent = `page ${page + 1} of ${pages} (${r.total} findings)`;
    $('#prev').disabled = page === 0;
    $('#next').disabled = page + 1 >= pages;
  }
  function showDetail(f) {
    $('#d-title').textContent = `${f.rule_id} — ${f.rule_name || ''}`;
    const dl = $('#d-list');
    dl.replaceChildren();
    const add = (k, v) => { if (v !== undefined && v !== null && v !== '') dl.append(el('dt', {}, k), el('dd', {}, String(v))); };
    add('Severity', f.severity);
    add('Why this severity', f.severity_reason || (f.standards && f.standards.why));
    add('Category', f.category);
    add('File', f.artifact);
    add('Location', locText(f));
    add('Message', f.message);
    add('Evidence', f.evidence);
    const st = f.standards || {};
    add('CWE', st.cwe); add('OWASP', st.owasp); add('MITRE ATLAS', st.atlas); add('NIST AI RMF', st.nist);
    if (f.confidence !== undefined && f.confidence >= 0) add('Confidence', f.confidence);
    add('Fingerprint', f.fingerprint);
    if (f.properties) add('Details', JSON.stringify(f.properties, null, 1));
    $('#detail').classList.remove('hidden');
  }

  // ---- history ----
  async function refreshHistory() {
    let r;
    try { r = await api('GET', '/api/scans?limit=50'); } catch (e) { return; }
    const body = $('#scans tbody');
    body.replaceChildren();
    for (const s of r.scans) {
      const open = el('button', { class: 'open' }, 'Open');
      open.addEventListener('click', () => openScan(s.id));
      const del = el('button', { class: 'delete' }, 'Delete');
      del.addEventListener('click', async () => {
        if (!confirm('Delete this scan and its reports?')) return;
        await api('DELETE', `/api/scans/${s.id}`);
        if (current === s.id) { current = null; $('#results').classList.add('hidden'); }
        refreshHistory();
      });
      const n = s.summary && s.summary.findings !== undefined ? s.summary.findings : '';
      body.append(el('tr', {}, el('td', {}, s.created), el('td', {}, `${(s.request || {}).type || ''}: ${describe(s)}`),
        el('td', {}, s.status), el('td', {}, n), el('td', {}, open, ' ', del)));
    }
    if (r.scans.some((s) => s.status === 'queued' || s.status === 'running')) setTimeout(refreshHistory, 2000);
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('input[name=type]').forEach((r) => r.addEventListener('change', () => { clearErrors(); showFields(); }));
    showFields();
    $('#scan-form').addEventListener('submit', submit);
    for (const id of ['#flt-sev', '#flt-cat', '#flt-sort']) $(id).addEventListener('change', () => { page = 0; loadFindings(); });
    let t = null;
    $('#flt-file').addEventListener('input', () => { clearTimeout(t); t = setTimeout(() => { page = 0; loadFindings(); }, 250); });
    $('#prev').addEventListener('click', () => { if (page > 0) { page--; loadFindings(); } });
    $('#next').addEventListener('click', () => { page++; loadFindings(); });
    $('#detail-close').addEventListener('click', () => $('#detail').classList.add('hidden'));
    refreshHistory();
  });
})();

// scimflow auditor console: a read-only client of the audit API (/audit/v1).
// Every value from the API is written with textContent, never parsed as HTML.
'use strict';

(() => {
  const TOKEN_KEY = 'scimflow.auditor.token';
  const API = new URL('../audit/v1', document.baseURI).pathname;
  const PAGE_SIZE = 50;
  const BADGE_REFRESH_MS = 5 * 60 * 1000;
  const HOUR_MS = 3600 * 1000;
  const MAX_CHART_HOURS = 31 * 24;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const CHANNELS = ['scim-in', 'hr-poll', 'plan', 'target-out', 'admin', 'audit-read', 'system'];
  const OUTCOMES = ['success', 'failure', 'denied', 'skipped'];
  const CHANNEL_COLOURS = {
    'scim-in': '#2563eb', 'hr-poll': '#0d9488', 'plan': '#7c3aed', 'target-out': '#ea580c',
    'admin': '#db2777', 'audit-read': '#64748b', 'system': '#a16207',
  };
  const OTHER_COLOUR = '#94a3b8';
  const OUTCOME_PATTERN = { failure: 'pat-failure', denied: 'pat-denied', skipped: 'pat-skipped' };

  const $ = (id) => document.getElementById(id);

  /** The hub refused the token (401) or its roles (403). */
  class AuthError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  /** Any other non-2xx answer. */
  class HttpError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  const state = {
    filters: {},
    cursor: null,
    shown: 0,
    badgeTimer: null,
    chartLoaded: false,
    record: null,
  };

  // ---------- HTTP ----------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function call(path, { raw = false, withToken = token() } = {}) {
    let res;
    try {
      res = await fetch(API + path, {
        headers: { Authorization: 'Bearer ' + withToken, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      throw new Error('The hub could not be reached (' + e.message + ').');
    }
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(res.status, await errorDetail(res));
    }
    if (!res.ok) {
      throw new HttpError(res.status, await errorDetail(res));
    }
    return raw ? res : res.json();
  }

  async function errorDetail(res) {
    try {
      const body = await res.json();
      return body.detail || body.message || body.error || ('HTTP ' + res.status);
    } catch (e) {
      return 'HTTP ' + res.status;
    }
  }

  function query(params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== null && v !== undefined && v !== '') {
        p.set(k, v);
      }
    }
    const s = p.toString();
    return s ? '?' + s : '';
  }

  // Runs an action; a refused token ends the session, any other error lands in the given status line.
  async function guarded(statusId, action) {
    try {
      await action();
    } catch (err) {
      if (err instanceof AuthError) {
        signOut(err.status === 401
          ? 'Your token is no longer accepted (401). Sign in again.'
          : 'This token lacks the auditor role (403). Sign in with an auditor token.');
        return;
      }
      setStatus(statusId, err.message || String(err), 'error');
    }
  }

  // ---------- DOM helpers ----------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) {
        continue;
      }
      if (k === 'class') {
        node.className = v;
      } else if (k === 'dataset') {
        Object.assign(node.dataset, v);
      } else if (k.startsWith('on')) {
        node.addEventListener(k.slice(2), v);
      } else {
        node.setAttribute(k, v === true ? '' : v);
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) {
        node.append(c instanceof Node ? c : String(c));
      }
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) {
        node.setAttribute(k, v);
      }
    }
    for (const c of children) {
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  function setStatus(id, text, kind) {
    const node = $(id);
    node.textContent = text || '';
    node.classList.toggle('error', kind === 'error');
    node.dataset.state = kind || (text ? 'ok' : '');
  }

  function fmtTime(iso) {
    if (!iso) {
      return '';
    }
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
    return m ? m[1] + ' ' + m[2] + 'Z' : iso;
  }

  function fmtValue(v) {
    if (v === undefined) {
      return '—';
    }
    if (v === null) {
      return 'null';
    }
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function outcomePill(outcome) {
    return el('span', { class: 'pill outcome-' + outcome }, outcome || '');
  }

  function subjectLabel(s) {
    if (!s) {
      return '';
    }
    return s.name || s.id || s.externalId || '';
  }

  function subjectKey(s) {
    return s ? (s.id || s.name || s.externalId || null) : null;
  }

  // datetime-local values are read as UTC, as the labels say.
  function toRfc3339(local) {
    if (!local) {
      return null;
    }
    return (local.length === 16 ? local + ':00' : local) + 'Z';
  }

  function toLocalInput(date) {
    return date.toISOString().slice(0, 16);
  }

  // ---------- sign-in ----------

  async function signIn(event) {
    event.preventDefault();
    const candidate = $('token').value.trim();
    const error = $('login-error');
    error.hidden = true;
    if (!candidate) {
      showLoginError('Enter a token.');
      return;
    }
    $('login-submit').disabled = true;
    try {
      await call('/events' + query({ limit: 1 }), { withToken: candidate });
    } catch (err) {
      if (err instanceof AuthError) {
        showLoginError(err.status === 401
          ? 'This token was not accepted (401). Check it and try again.'
          : 'This token is valid but lacks the auditor role (403).');
      } else {
        showLoginError(err.message);
      }
      return;
    } finally {
      $('login-submit').disabled = false;
    }
    sessionStorage.setItem(TOKEN_KEY, candidate);
    $('token').value = '';
    showApp();
  }

  function showLoginError(text) {
    const error = $('login-error');
    error.textContent = text;
    error.hidden = false;
  }

  function showApp() {
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    $('integrity').hidden = false;
    $('logout').hidden = false;
    resetChartRange();
    selectTab('search');
    refreshBadge(false);
    state.badgeTimer = setInterval(() => refreshBadge(false), BADGE_REFRESH_MS);
    startSearch();
  }

  // Forgets the token and every piece of audit data on the page.
  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(state.badgeTimer);
    state.badgeTimer = null;
    state.chartLoaded = false;
    state.cursor = null;
    state.record = null;
    if ($('record-dialog').open) {
      $('record-dialog').close();
    }
    for (const id of ['results-body', 'timeline-groups', 'timeline-subject', 'chart-canvas', 'chart-legend',
      'chart-data-body', 'record-fields', 'record-changes-body', 'record-chain', 'record-json']) {
      $(id).replaceChildren();
    }
    for (const id of ['search-status', 'export-status', 'timeline-status', 'chart-status']) {
      setStatus(id, '');
    }
    $('search-form').reset();
    $('timeline-id').value = '';
    $('timeline-subject').hidden = true;
    $('load-more').hidden = true;
    $('app-view').hidden = true;
    $('integrity').hidden = true;
    $('logout').hidden = true;
    $('login-view').hidden = false;
    if (message) {
      showLoginError(message);
    } else {
      $('login-error').hidden = true;
    }
    $('token').focus();
  }

  // ---------- tabs ----------

  const TABS = ['search', 'timeline', 'activity'];

  function selectTab(name) {
    for (const t of TABS) {
      const tab = $('tab-' + t);
      const on = t === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      $('panel-' + t).hidden = !on;
    }
    if (name === 'activity' && !state.chartLoaded) {
      loadChart();
    }
  }

  function onTabKey(event) {
    const i = TABS.findIndex((t) => $('tab-' + t).getAttribute('aria-selected') === 'true');
    let next = null;
    if (event.key === 'ArrowRight') {
      next = TABS[(i + 1) % TABS.length];
    } else if (event.key === 'ArrowLeft') {
      next = TABS[(i + TABS.length - 1) % TABS.length];
    }
    if (next) {
      event.preventDefault();
      selectTab(next);
      $('tab-' + next).focus();
    }
  }

  // ---------- search ----------

  function formFilters() {
    return {
      from: toRfc3339($('f-from').value),
      to: toRfc3339($('f-to').value),
      actor: $('f-actor').value.trim(),
      subject: $('f-subject').value.trim(),
      action: $('f-action').value.trim(),
      outcome: $('f-outcome').value,
      channel: $('f-channel').value,
      correlationId: $('f-correlation').value.trim(),
      order: $('f-order').value,
    };
  }

  function startSearch(event) {
    if (event) {
      event.preventDefault();
    }
    state.filters = formFilters();
    state.cursor = null;
    state.shown = 0;
    return guarded('search-status', () => fetchPage(false));
  }

  async function fetchPage(append) {
    setStatus('search-status', 'Searching…', 'busy');
    $('search-submit').disabled = true;
    $('load-more').disabled = true;
    try {
      const params = { ...state.filters, limit: PAGE_SIZE, cursor: append ? state.cursor : null };
      const page = await call('/events' + query(params));
      const body = $('results-body');
      if (!append) {
        body.replaceChildren();
      }
      for (const e of page.events) {
        body.append(resultRow(e));
      }
      state.shown += page.events.length;
      state.cursor = page.nextCursor || null;
      $('load-more').hidden = !state.cursor;
      const n = state.shown;
      setStatus('search-status', n === 0 ? 'No events match these filters.'
        : `${n} event${n === 1 ? '' : 's'} shown${state.cursor ? '; more available' : ''}.`, 'done');
    } finally {
      $('search-submit').disabled = false;
      $('load-more').disabled = false;
    }
  }

  function resultRow(e) {
    const key = subjectKey(e.subject);
    const subjectCell = key
      ? el('button', {
        type: 'button', class: 'link subject-link', title: 'Show the timeline of ' + subjectLabel(e.subject),
        onclick: (ev) => { ev.stopPropagation(); showTimeline(key); },
      }, subjectLabel(e.subject))
      : '';
    const row = el('tr', { class: 'result', dataset: { eventId: e.eventId, seq: e.seq } },
      el('td', { class: 'nowrap' }, el('button', {
        type: 'button', class: 'link open-record', title: 'Open record #' + e.seq,
        onclick: (ev) => { ev.stopPropagation(); openRecord(e); },
      }, fmtTime(e.eventTime))),
      el('td', null, e.actor ? (e.actor.id || e.actor.type || '') : ''),
      el('td', { class: 'mono', title: httpLine(e) || null }, e.action || '',
        // Generic access records say little by their action: show what was asked for.
        e.action === 'http.request' && e.http && e.http.path
          ? el('div', { class: 'muted request-path' }, (e.http.method ? e.http.method + ' ' : '') + e.http.path)
          : null),
      el('td', null, e.subject && e.subject.type ? el('span', { class: 'muted' }, e.subject.type + ' ') : null, subjectCell),
      el('td', null, outcomePill(e.outcome)),
      el('td', { class: 'num' }, e.http && e.http.status ? e.http.status : ''));
    row.addEventListener('click', () => openRecord(e));
    return row;
  }

  function httpLine(e) {
    const h = e.http || {};
    return [h.method, h.path].filter(Boolean).join(' ');
  }

  // ---------- record ----------

  function openRecord(e) {
    state.record = e;
    const fields = $('record-fields');
    fields.replaceChildren();
    const add = (label, value, cls) => {
      if (value === undefined || value === null || value === '') {
        return;
      }
      fields.append(el('dt', null, label), el('dd', cls ? { class: cls } : null, value));
    };
    const a = e.actor || {};
    const s = e.subject || {};
    const t = e.target || {};
    const h = e.http || {};
    add('Event id', e.eventId, 'mono');
    add('Event time', e.eventTime, 'mono');
    add('Recorded', e.recordedTime, 'mono');
    add('Channel', e.channel);
    add('Action', e.action, 'mono');
    add('Outcome', e.outcome ? outcomePill(e.outcome) : null);
    add('Actor', [a.type, a.id].filter(Boolean).join(' '));
    add('Source IP', a.ip, 'mono');
    add('User agent', a.userAgent);
    add('Subject', [s.type, s.id].filter(Boolean).join(' '), 'mono');
    add('Subject name', s.name);
    add('External id', s.externalId, 'mono');
    add('Target', [t.system, t.id].filter(Boolean).join(' '));
    add('HTTP', [h.method, h.path, h.status ? '→ ' + h.status : null].filter(Boolean).join(' '), 'mono');
    add('SCIM type', e.scimType);
    add('Error', e.error);
    add('Attempt', e.attempt);
    add('Duration', e.durationMs !== undefined ? e.durationMs + ' ms' : null);
    add('Correlation id', e.correlationId, 'mono');
    add('Cycle id', e.cycleId, 'mono');
    add('Parent event', e.parentEventId, 'mono');

    const changes = Array.isArray(e.changes) ? e.changes : [];
    const body = $('record-changes-body');
    body.replaceChildren();
    for (const c of changes) {
      body.append(el('tr', { class: 'change' },
        el('th', { scope: 'row', class: 'mono' }, c.path || ''),
        el('td', { class: 'old mono' }, changeSide(c.old, c.removed, 'removed')),
        el('td', { class: 'new mono' }, changeSide(c.new, c.added, 'added'))));
    }
    $('record-changes').hidden = changes.length === 0;
    $('record-no-changes').hidden = changes.length !== 0;

    const chain = $('record-chain');
    chain.replaceChildren(
      el('dt', null, 'Sequence'), el('dd', { id: 'record-seq' }, e.seq),
      el('dt', null, 'Previous hash'), el('dd', null, e.prevHash || '—'),
      el('dt', null, 'Record hash'), el('dd', { id: 'record-hash' }, e.recordHash || '—'),
      el('dt', null, 'Schema version'), el('dd', null, e.schemaVersion));

    $('record-timeline').disabled = !subjectKey(e.subject);
    $('record-correlation').disabled = !e.correlationId;
    $('record-json').textContent = JSON.stringify(e, null, 2);
    $('record-title').textContent = 'Audit record #' + e.seq;
    const dialog = $('record-dialog');
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  // One side of a change: the value, and for multi-valued attributes the members added or removed.
  function changeSide(value, members, verb) {
    const parts = [];
    if (value !== undefined) {
      parts.push(fmtValue(value));
    }
    if (Array.isArray(members) && members.length) {
      parts.push(verb + ': ' + members.join(', '));
    }
    return parts.length ? parts.join('; ') : '—';
  }

  function closeRecord() {
    $('record-dialog').close();
  }

  function recordTimeline() {
    const key = subjectKey(state.record && state.record.subject);
    closeRecord();
    if (key) {
      showTimeline(key);
    }
  }

  function recordCorrelation() {
    const id = state.record && state.record.correlationId;
    closeRecord();
    if (id) {
      $('search-form').reset();
      $('f-correlation').value = id;
      $('f-order').value = 'asc';
      selectTab('search');
      startSearch();
    }
  }

  // ---------- timeline ----------

  function submitTimeline(event) {
    event.preventDefault();
    const id = $('timeline-id').value.trim();
    if (!id) {
      setStatus('timeline-status', 'Enter a userName, id or externalId.', 'error');
      return;
    }
    showTimeline(id);
  }

  function showTimeline(id) {
    selectTab('timeline');
    $('timeline-id').value = id;
    return guarded('timeline-status', async () => {
      setStatus('timeline-status', 'Loading timeline…', 'busy');
      $('timeline-groups').replaceChildren();
      $('timeline-subject').hidden = true;
      let data;
      try {
        data = await call('/subjects/' + encodeURIComponent(id) + '/timeline');
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 404) {
          throw err;
        }
        data = { subject: null, events: [] };
      }
      renderTimeline(id, data);
    });
  }

  function renderTimeline(id, data) {
    const events = (data.events || []).slice().sort((a, b) => a.seq - b.seq);
    if (events.length === 0) {
      setStatus('timeline-status', 'No audit events for “' + id + '”.', 'done');
      return;
    }
    const s = data.subject || {};
    const card = $('timeline-subject');
    card.replaceChildren();
    const add = (label, value) => {
      if (value) {
        card.append(el('dt', null, label), el('dd', null, value));
      }
    };
    add('Type', s.type);
    add('Name', s.name);
    add('Id', s.id);
    add('External id', s.externalId);
    card.hidden = card.childElementCount === 0;

    const groups = new Map();
    for (const e of events) {
      const key = e.correlationId || 'event ' + e.eventId;
      if (!groups.has(key)) {
        groups.set(key, []);
      }
      groups.get(key).push(e);
    }
    const container = $('timeline-groups');
    for (const [correlationId, list] of groups) {
      const first = list[0];
      container.append(el('section', { class: 'tl-group', dataset: { correlationId } },
        el('h3', null,
          el('span', { class: 'tl-when' }, fmtTime(first.eventTime)),
          ' ', el('span', { class: 'muted' }, 'exchange'), ' ',
          el('span', { class: 'mono' }, correlationId)),
        el('ol', { class: 'tl-events' }, ...list.map(timelineItem))));
    }
    const n = events.length;
    setStatus('timeline-status',
      `${n} event${n === 1 ? '' : 's'} in ${groups.size} exchange${groups.size === 1 ? '' : 's'}, oldest first.`, 'done');
  }

  function changeSummary(c) {
    if (c.old === undefined) {
      return 'set to ' + fmtValue(c.new);
    }
    if (c.new === undefined) {
      return 'removed (was ' + fmtValue(c.old) + ')';
    }
    return fmtValue(c.old) + ' → ' + fmtValue(c.new);
  }

  function timelineItem(e) {
    const changes = Array.isArray(e.changes) ? e.changes : [];
    const summary = changes.length
      ? el('ul', { class: 'tl-changes' }, ...changes.map((c) => el('li', null,
        el('span', { class: 'mono' }, c.path), ': ',
        c.added || c.removed
          ? [c.added ? '+' + c.added.join(', +') : '', c.removed ? ' −' + c.removed.join(', −') : ''].join('').trim()
          : changeSummary(c))))
      : null;
    return el('li', { class: 'tl-event', dataset: { seq: e.seq, eventId: e.eventId } },
      el('button', { type: 'button', class: 'link open-record', onclick: () => openRecord(e) },
        fmtTime(e.eventTime)),
      ' ', el('span', { class: 'mono tl-action' }, e.action || ''),
      ' ', outcomePill(e.outcome),
      ' ', el('span', { class: 'muted' }, [e.channel, e.actor && e.actor.id ? 'by ' + e.actor.id : null,
        e.http && e.http.status ? 'HTTP ' + e.http.status : null].filter(Boolean).join(' · ')),
      summary);
  }

  // ---------- integrity badge ----------

  function setBadge(status, text, detail) {
    const badge = $('badge');
    badge.dataset.status = status;
    badge.className = 'badge badge-' + status;
    $('badge-text').textContent = text;
    $('badge-detail').textContent = detail || '';
    $('badge-detail').title = detail || '';
  }

  async function refreshBadge(runNow) {
    const button = $('verify-now');
    button.disabled = true;
    if (runNow) {
      setBadge('loading', 'Verifying…', 'Checking every record of the chain');
    }
    try {
      const v = await call(runNow ? '/verify' : '/verify/last');
      showVerification(v);
    } catch (err) {
      if (err instanceof AuthError) {
        signOut(err.status === 401
          ? 'Your token is no longer accepted (401). Sign in again.'
          : 'This token lacks the auditor role (403). Sign in with an auditor token.');
        return;
      }
      setBadge('unavailable', 'Verification unavailable',
        err instanceof HttpError && err.status === 404 ? 'This hub does not report verifications.' : err.message);
      $('checkpoint').textContent = '';
    } finally {
      button.disabled = false;
    }
  }

  function showVerification(v) {
    const findings = Array.isArray(v.findings) ? v.findings : [];
    const range = v.checked !== undefined
      ? `${v.checked} record${v.checked === 1 ? '' : 's'}` + (v.firstSeq !== undefined && v.lastSeq !== undefined
        ? ` (#${v.firstSeq}–#${v.lastSeq})` : '')
      : '';
    const when = v.checkedAt ? 'verified ' + fmtTime(v.checkedAt) : '';
    const first = findings[0];
    const firstText = first ? `#${first.seq} ${first.kind}${first.detail ? ': ' + first.detail : ''}` : '';
    const more = findings.length > 1 ? ` (+${findings.length - 1} more)` : '';
    switch (v.status) {
      case 'intact':
        setBadge('intact', 'Chain intact', [when, range].filter(Boolean).join(', '));
        break;
      case 'tampered':
        setBadge('tampered', 'Tampered', [firstText + more, when].filter(Boolean).join(' · '));
        break;
      case 'never':
        setBadge('never', 'Never verified', 'Use “Verify now” to check the whole chain.');
        break;
      default:
        setBadge('error', 'Verification failed',
          [firstText || 'The last verification could not complete', when].filter(Boolean).join(' · '));
    }
    const cp = v.lastCheckpoint;
    $('checkpoint').textContent = cp
      ? `Last checkpoint: ${cp.treeSize} records, ${fmtTime(cp.createdAt)}${cp.keyId ? ', key ' + cp.keyId : ''}`
      : 'No checkpoint yet';
    if (cp && cp.rootHash) {
      $('checkpoint').title = 'Root hash ' + cp.rootHash;
    }
  }

  // ---------- hourly chart ----------

  function resetChartRange() {
    const now = Date.now();
    const end = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
    $('chart-from').value = toLocalInput(new Date(end - 24 * HOUR_MS));
    $('chart-to').value = toLocalInput(new Date(end));
  }

  function submitChart(event) {
    event.preventDefault();
    loadChart();
  }

  function lastDay() {
    resetChartRange();
    loadChart();
  }

  function loadChart() {
    state.chartLoaded = true;
    return guarded('chart-status', async () => {
      const from = toRfc3339($('chart-from').value);
      const to = toRfc3339($('chart-to').value);
      const start = Date.parse(from);
      const end = Date.parse(to);
      if (!from || !to || !(end > start)) {
        setStatus('chart-status', 'Choose a period whose end is after its start.', 'error');
        return;
      }
      const hours = Math.ceil((end - Math.floor(start / HOUR_MS) * HOUR_MS) / HOUR_MS);
      if (hours > MAX_CHART_HOURS) {
        setStatus('chart-status', `Choose at most ${MAX_CHART_HOURS / 24} days.`, 'error');
        return;
      }
      setStatus('chart-status', 'Loading…', 'busy');
      let data;
      try {
        data = await call('/stats/hourly' + query({ from, to }));
      } catch (err) {
        if (err instanceof HttpError) {
          $('chart').hidden = true;
          $('chart-data').hidden = true;
          $('chart-canvas').replaceChildren();
          $('chart-legend').replaceChildren();
          $('chart-data-body').replaceChildren();
          setStatus('chart-status', err.status === 404
            ? 'Hourly statistics are unavailable on this hub.'
            : 'Hourly statistics could not be loaded: ' + err.message, 'error');
          return;
        }
        throw err;
      }
      drawChart(data.buckets || [], start, end);
    });
  }

  function niceMax(n) {
    if (n <= 5) {
      return 5;
    }
    const mag = Math.pow(10, Math.floor(Math.log10(n)));
    for (const m of [1, 2, 2.5, 5, 10]) {
      if (m * mag >= n) {
        return m * mag;
      }
    }
    return 10 * mag;
  }

  function drawChart(buckets, start, end) {
    const first = Math.floor(start / HOUR_MS) * HOUR_MS;
    const slots = Math.max(1, Math.ceil((end - first) / HOUR_MS));
    const channels = CHANNELS.slice();
    for (const b of buckets) {
      if (!channels.includes(b.channel)) {
        channels.push(b.channel);
      }
    }
    // perSlot[i] = Map channel -> Map outcome -> count
    const perSlot = Array.from({ length: slots }, () => new Map());
    let total = 0;
    for (const b of buckets) {
      const i = Math.floor((Date.parse(b.hour) - first) / HOUR_MS);
      if (i < 0 || i >= slots || !(b.count > 0)) {
        continue;
      }
      const byChannel = perSlot[i];
      if (!byChannel.has(b.channel)) {
        byChannel.set(b.channel, new Map());
      }
      const byOutcome = byChannel.get(b.channel);
      byOutcome.set(b.outcome, (byOutcome.get(b.outcome) || 0) + b.count);
      total += b.count;
    }
    const sums = perSlot.map((m) => [...m.values()].reduce((a, o) => a + [...o.values()].reduce((x, y) => x + y, 0), 0));
    const yMax = niceMax(Math.max(0, ...sums));

    const W = 1200;
    const H = 320;
    const m = { left: 56, right: 12, top: 12, bottom: 44 };
    const plotW = W - m.left - m.right;
    const plotH = H - m.top - m.bottom;
    const step = plotW / slots;
    const barW = Math.max(1, step * 0.78);
    const y = (v) => m.top + plotH - (v / yMax) * plotH;

    const root = svg('svg', {
      viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-svg-title', class: 'chart-svg',
      preserveAspectRatio: 'xMidYMid meet',
    });
    root.append(svg('title', { id: 'chart-svg-title' },
      `Events per hour from ${fmtTime(new Date(first).toISOString())} to ${fmtTime(new Date(end).toISOString())}: ${total} in total`));
    root.append(patternDefs());

    const grid = svg('g', { class: 'grid' });
    for (let k = 0; k <= 4; k++) {
      const v = (yMax / 4) * k;
      grid.append(svg('line', { x1: m.left, x2: W - m.right, y1: y(v), y2: y(v) }));
      grid.append(svg('text', { x: m.left - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'axis-label' },
        Number.isInteger(v) ? v : v.toFixed(1)));
    }
    root.append(grid);

    const labelEvery = Math.max(1, Math.ceil(slots / 12));
    const axis = svg('g', { class: 'x-axis' });
    for (let i = 0; i < slots; i++) {
      const t = new Date(first + i * HOUR_MS);
      if (i % labelEvery === 0) {
        const iso = t.toISOString();
        const label = iso.slice(11, 16) + (i === 0 || t.getUTCHours() < labelEvery ? ' ' + iso.slice(5, 10) : '');
        axis.append(svg('text', { x: m.left + i * step + step / 2, y: H - m.bottom + 18, 'text-anchor': 'middle', class: 'axis-label' }, label));
      }
    }
    axis.append(svg('line', { x1: m.left, x2: W - m.right, y1: y(0), y2: y(0), class: 'baseline' }));
    root.append(axis);

    const bars = svg('g', { class: 'bars' });
    perSlot.forEach((byChannel, i) => {
      let acc = 0;
      const x = m.left + i * step + (step - barW) / 2;
      const hourIso = new Date(first + i * HOUR_MS).toISOString();
      for (const channel of channels) {
        const byOutcome = byChannel.get(channel);
        if (!byOutcome) {
          continue;
        }
        const outcomes = OUTCOMES.concat([...byOutcome.keys()].filter((o) => !OUTCOMES.includes(o)));
        for (const outcome of outcomes) {
          const count = byOutcome.get(outcome);
          if (!count) {
            continue;
          }
          const top = y(acc + count);
          const height = Math.max(1, y(acc) - top);
          acc += count;
          const label = `${hourIso.slice(0, 13).replace('T', ' ')}:00Z · ${channel} · ${outcome}: ${count}`;
          const seg = svg('g', { class: 'seg' }, svg('title', null, label));
          seg.append(svg('rect', {
            class: 'bar', x, y: top, width: barW, height, fill: CHANNEL_COLOURS[channel] || OTHER_COLOUR,
            'data-channel': channel, 'data-outcome': outcome, 'data-count': count, 'data-hour': hourIso,
          }));
          if (OUTCOME_PATTERN[outcome]) {
            seg.append(svg('rect', { class: 'hatch', x, y: top, width: barW, height, fill: `url(#${OUTCOME_PATTERN[outcome]})` }));
          }
          bars.append(seg);
        }
      }
    });
    root.append(bars);
    if (total === 0) {
      root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty-label' }, 'No events in this period'));
    }
    $('chart-canvas').replaceChildren(root);
    $('chart').hidden = false;
    $('chart-data').hidden = false;
    drawLegend(channels.filter((c) => CHANNELS.includes(c) || buckets.some((b) => b.channel === c)));
    fillChartTable(buckets);
    setStatus('chart-status', `${total} event${total === 1 ? '' : 's'} in ${slots} hour${slots === 1 ? '' : 's'}.`, 'done');
  }

  function patternDefs() {
    const defs = svg('defs');
    const pattern = (id, ...shapes) => svg('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse' }, ...shapes);
    defs.append(
      pattern(OUTCOME_PATTERN.failure,
        svg('path', { d: 'M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2', stroke: '#ffffff', 'stroke-width': 1.6, 'stroke-opacity': 0.85 })),
      pattern(OUTCOME_PATTERN.denied,
        svg('path', { d: 'M0,3 h6 M3,0 v6', stroke: '#111827', 'stroke-width': 1.4, 'stroke-opacity': 0.75 })),
      pattern(OUTCOME_PATTERN.skipped,
        svg('circle', { cx: 3, cy: 3, r: 1.3, fill: '#ffffff', 'fill-opacity': 0.9 })));
    return defs;
  }

  // Legend swatches reuse the chart's patterns (drawn just before them in the same document).
  function swatch(colour, outcome) {
    const s = svg('svg', { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': 'true', class: 'swatch' });
    s.append(svg('rect', { x: 0, y: 0, width: 16, height: 16, fill: colour, rx: 2 }));
    if (outcome && OUTCOME_PATTERN[outcome]) {
      s.append(svg('rect', { x: 0, y: 0, width: 16, height: 16, fill: `url(#${OUTCOME_PATTERN[outcome]})`, rx: 2 }));
    }
    return s;
  }

  function drawLegend(channels) {
    const list = el('ul', { class: 'legend-list', 'aria-label': 'Channels' });
    for (const c of channels) {
      list.append(el('li', null, swatch(CHANNEL_COLOURS[c] || OTHER_COLOUR), ' ', c));
    }
    const outcomes = el('ul', { class: 'legend-list', 'aria-label': 'Outcomes' });
    for (const o of OUTCOMES) {
      outcomes.append(el('li', null, swatch('#64748b', o), ' ', o));
    }
    $('chart-legend').replaceChildren(list, outcomes);
  }

  function fillChartTable(buckets) {
    const rows = buckets.filter((b) => b.count > 0).slice()
      .sort((a, b) => a.hour.localeCompare(b.hour) || a.channel.localeCompare(b.channel) || a.outcome.localeCompare(b.outcome));
    $('chart-data-body').replaceChildren(...rows.map((b) => el('tr', null,
      el('td', { class: 'mono' }, fmtTime(b.hour)), el('td', null, b.channel), el('td', null, outcomePill(b.outcome)),
      el('td', { class: 'num' }, b.count))));
  }

  // ---------- export ----------

  async function exportAs(format) {
    const buttons = [$('export-ndjson'), $('export-csv')];
    buttons.forEach((b) => { b.disabled = true; });
    await guarded('export-status', async () => {
      setStatus('export-status', `Preparing ${format.toUpperCase()} export…`, 'busy');
      try {
        const filters = formFilters();
        const res = await call('/export' + query({ ...filters, format }), { raw: true });
        const blob = await res.blob();
        const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';
        const name = `scimflow-audit-${stamp}.${format}`;
        const url = URL.createObjectURL(blob);
        const link = el('a', { href: url, download: name, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        // The download has taken its copy once the click is handled.
        setTimeout(() => URL.revokeObjectURL(url), 60 * 1000);
        const kb = (blob.size / 1024).toFixed(1);
        setStatus('export-status', `Downloaded ${name} (${kb} KiB).`, 'done');
        $('export-status').dataset.format = format;
        $('export-status').dataset.bytes = String(blob.size);
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
  }

  // ---------- wiring ----------

  function init() {
    $('login-form').addEventListener('submit', signIn);
    $('logout').addEventListener('click', () => signOut(null));
    $('search-form').addEventListener('submit', startSearch);
    $('load-more').addEventListener('click', () => guarded('search-status', () => fetchPage(true)));
    $('export-ndjson').addEventListener('click', () => exportAs('ndjson'));
    $('export-csv').addEventListener('click', () => exportAs('csv'));
    $('timeline-form').addEventListener('submit', submitTimeline);
    $('chart-form').addEventListener('submit', submitChart);
    $('chart-last24').addEventListener('click', lastDay);
    $('verify-now').addEventListener('click', () => refreshBadge(true));
    $('record-close').addEventListener('click', closeRecord);
    $('record-timeline').addEventListener('click', recordTimeline);
    $('record-correlation').addEventListener('click', recordCorrelation);
    $('record-dialog').addEventListener('click', (ev) => {
      if (ev.target === $('record-dialog')) {
        closeRecord();
      }
    });
    for (const t of TABS) {
      $('tab-' + t).addEventListener('click', () => selectTab(t));
      $('tab-' + t).addEventListener('keydown', onTabKey);
    }
    if (token()) {
      showApp();
    } else {
      $('token').focus();
    }
    document.body.dataset.ready = 'true';
  }

  init();
})();

// The web view: a page of sagas, one saga drawn live, and the dead letters. It is a client of
// the JSON API (the admin's token from POST /auth/login kept for this tab only), so it shows
// exactly what the API says; the diagram is the Mermaid text of GET /sagas/{id}/diagram.
/* global mermaid */

const QUEUES = ['orders', 'orchestrator', 'users', 'products', 'payments'];
const STATUSES = ['RUNNING', 'COMPENSATING', 'CONFIRMED', 'CANCELLED'];
const LIST_REFRESH_MS = 2000;
const DIAGRAM_REFRESH_MS = 500;

const view = document.getElementById('view');
const nav = document.querySelector('nav');
const errorLine = document.getElementById('error');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });

/** Bumped on every navigation, so that a timer of the page left behind stops. */
let generation = 0;

/** An element with attributes and children (strings become text, never HTML). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

class Unauthorized extends Error {}

async function api(path, init = {}) {
  const token = sessionStorage.getItem('token');
  const response = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  // Only a token can expire: without one, a 401 is the login's own answer.
  if (response.status === 401 && token) throw new Unauthorized('signed out');
  const body = await response.json();
  if (!response.ok)
    throw Object.assign(new Error(body.error?.message ?? response.statusText), { status: response.status });
  return body;
}

function showError(error) {
  errorLine.hidden = !error;
  errorLine.textContent = error ? `error: ${error.message}` : '';
}

const statusBadge = (status) => el('span', { class: `status status-${status}` }, status ?? 'PENDING');
const seconds = (ms) => `${(ms / 1000).toFixed(3)} s`;
const finished = (status) => status === 'CONFIRMED' || status === 'CANCELLED';

function durationOf(saga, now) {
  const ms = (finished(saga.status) ? Date.parse(saga.updatedAt) : now) - Date.parse(saga.startedAt);
  return finished(saga.status) ? seconds(ms) : `${seconds(ms)} so far`;
}

function loginView() {
  nav.hidden = true;
  const message = el('p');
  const form = el(
    'form',
    { class: 'login' },
    el('h2', {}, 'Sign in as an admin'),
    el('label', {}, 'Email ', el('input', { name: 'email', type: 'email', required: '', autocomplete: 'username' })),
    el('label', {}, 'Password ', el('input', { name: 'password', type: 'password', required: '' })),
    el('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form));
    try {
      const { token } = await api('/auth/login', { method: 'POST', body: JSON.stringify(fields) });
      sessionStorage.setItem('token', token);
      await api('/sagas?limit=1');
      route();
    } catch (error) {
      sessionStorage.removeItem('token');
      message.textContent = error.status === 403 ? 'This account is not an admin.' : error.message;
    }
  });
  view.replaceChildren(form);
}

/** The search fields of the list, each a query parameter of GET /sagas (and of the page's address). */
const SEARCH_FIELDS = [
  ['step', 'Awaiting step', 'text', 'settlePayment'],
  ['product', 'Product id', 'text', ''],
  ['createdFrom', 'Started from', 'datetime-local', ''],
  ['createdTo', 'Started before', 'datetime-local', ''],
  ['totalMin', 'Total at least (cents)', 'number', ''],
  ['totalMax', 'Total at most (cents)', 'number', ''],
];
const LIST_PAGE = 50;

/**
 * The list of sagas: counts per outcome, a search (an order id opens its saga, an e-mail is
 * looked up in the users service), filters and pages. The search form is drawn once per
 * address; the refresh redraws only what the server answers, so typing is never lost.
 */
async function sagasView(query, mine, refreshing) {
  const asked = new URLSearchParams(query);
  const params = new URLSearchParams([...asked].filter(([name, value]) => value !== '' && name !== 'email'));
  if (!params.has('limit')) params.set('limit', String(LIST_PAGE));
  params.set('count', 'true');
  const [stats, page] = await Promise.all([api('/orders/stats'), api(`/sagas?${params}`)]);
  if (mine !== generation) return;
  if (!refreshing)
    view.replaceChildren(
      el('h2', {}, 'Sagas'),
      searchForm(asked, Object.keys(stats.cancellationsByReason)),
      el('div', { id: 'results' }),
    );
  const now = Date.now();
  const reasons = Object.entries(stats.cancellationsByReason).filter(([, n]) => n > 0);
  const rows = page.items.map((saga) =>
    el(
      'tr',
      { 'data-order': saga.orderId },
      el('td', {}, el('a', { href: `#/sagas/${saga.orderId}` }, el('code', {}, saga.orderId))),
      el('td', {}, statusBadge(saga.status)),
      el('td', {}, saga.state?.failure?.reason ?? ''),
      el('td', {}, durationOf(saga, now)),
      el('td', {}, saga.startedAt),
    ),
  );
  const next = new URLSearchParams(asked);
  if (page.nextCursor) next.set('cursor', page.nextCursor);
  const first = new URLSearchParams(asked);
  first.delete('cursor');
  document
    .getElementById('results')
    .replaceChildren(
      el(
        'div',
        { class: 'counts' },
        ...Object.entries(stats.counts).map(([s, n]) => el('span', { class: 'count', 'data-count': s }, `${s} ${n}`)),
        ...reasons.map(([reason, n]) => el('span', { class: 'count' }, `cancelled ${reason} ${n}`)),
      ),
      el(
        'p',
        { id: 'matching' },
        `${page.count} matching${asked.get('email') ? ` (customer ${asked.get('email')})` : ''}`,
      ),
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el('tr', {}, ...['Order', 'Status', 'Reason', 'Duration', 'Started'].map((h) => el('th', {}, h))),
        ),
        el('tbody', {}, ...rows),
      ),
      el(
        'p',
        { class: 'pages' },
        asked.has('cursor') ? el('a', { id: 'first-page', href: `#/sagas?${first}` }, 'First page') : null,
        page.nextCursor ? el('a', { id: 'next-page', href: `#/sagas?${next}` }, 'Next page') : null,
      ),
    );
}

/** The search form, filled from the address; submitting it moves the address, which redraws the list. */
function searchForm(asked, reasonCodes) {
  const select = (name, label, options) =>
    el(
      'label',
      {},
      `${label} `,
      el(
        'select',
        // A choice searches at once, as the status filter always did.
        { name, id: `${name}-filter`, onchange: (event) => event.target.form.requestSubmit() },
        el('option', { value: '' }, 'any'),
        ...options.map((o) => el('option', o === asked.get(name) ? { value: o, selected: '' } : { value: o }, o)),
      ),
    );
  const valueOf = (name, type) => {
    const value = asked.get(name) ?? '';
    // A datetime-local field shows local time without a zone; the address keeps UTC.
    if (type !== 'datetime-local' || !value) return value;
    const at = new Date(value);
    return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  };
  const input = ([name, label, type, placeholder]) =>
    el('label', {}, `${label} `, el('input', { name, type, placeholder, value: valueOf(name, type) }));
  const customer = asked.get('email') ?? asked.get('customer') ?? '';
  return el(
    'form',
    {
      class: 'search',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          location.hash = await searchOf(new FormData(event.target));
        } catch (error) {
          showError(error);
        }
      },
    },
    el('label', {}, 'Order id or customer e-mail ', el('input', { name: 'q', id: 'search', value: customer })),
    select('status', 'Status', [...STATUSES, 'PENDING']),
    select('reason', 'Reason', reasonCodes),
    ...SEARCH_FIELDS.map(input),
    // A page size given in the address stays through a search.
    asked.has('limit') ? el('input', { type: 'hidden', name: 'limit', value: asked.get('limit') }) : null,
    el('button', { type: 'submit' }, 'Search'),
  );
}

/** The address of a search: an order id opens its saga; an e-mail becomes the customer's id. */
async function searchOf(form) {
  const q = String(form.get('q') ?? '').trim();
  form.delete('q');
  if (/^[0-9a-f-]{36}$/i.test(q)) return `#/sagas/${q.toLowerCase()}`;
  const params = new URLSearchParams([...form].filter(([, value]) => value !== ''));
  for (const name of ['createdFrom', 'createdTo'])
    if (params.has(name)) params.set(name, new Date(params.get(name)).toISOString());
  if (q.includes('@')) {
    const { items } = await api(`/users?email=${encodeURIComponent(q)}`);
    if (items.length === 0) throw new Error(`no user has the e-mail ${q}`);
    params.set('customer', items[0].id);
    params.set('email', q);
  } else if (q) params.set('customer', q);
  return `#/sagas?${params}`;
}

let diagramCount = 0;

async function sagaView(orderId, mine) {
  const [diagram, trace] = await Promise.all([api(`/sagas/${orderId}/diagram`), api(`/sagas/${orderId}/trace`)]);
  if (mine !== generation) return;
  const drawn = view.querySelector('.diagram');
  if (drawn?.dataset.mermaid !== diagram.mermaid) {
    const { svg } = await mermaid.render(`saga-diagram-${++diagramCount}`, diagram.mermaid);
    if (mine !== generation) return;
    const picture = el('div', { class: 'diagram' });
    picture.dataset.mermaid = diagram.mermaid;
    picture.innerHTML = svg;
    view.replaceChildren(
      el('h2', {}, 'Saga ', el('code', {}, orderId), ' ', statusBadge(diagram.status)),
      el('p', {}, diagram.finished ? 'Finished.' : 'Running: this picture follows it.'),
      // replaceChildren would show an undefined as text.
      ...(diagram.finished ? [] : [actionsOf(orderId, view.querySelector('form.actions'))]),
      picture,
      messagesOf(trace.messages, view.querySelector('.messages')),
    );
    view.dataset.status = diagram.status ?? 'PENDING';
  }
  return diagram.finished;
}

/**
 * The saga's messages, each of which opens to its payload and, for an input that moved the
 * saga, what it changed. A message opened stays open when a running saga is drawn again (`kept`,
 * the list it replaces: the trace only grows, so a message keeps its place).
 */
function messagesOf(messages, kept) {
  const opened = [...(kept?.querySelectorAll('details') ?? [])].map((details) => details.open);
  const origin = Date.parse(messages[0]?.occurredAt);
  return el(
    'section',
    { class: 'messages' },
    el('h3', {}, 'Messages'),
    ...messages.map((message, i) => messageOf(message, Date.parse(message.occurredAt) - origin, opened[i])),
  );
}

function messageOf(message, offsetMs, open) {
  const note = message.note ? ` (${message.note})` : '';
  return el(
    'details',
    open ? { open: '' } : {},
    el(
      'summary',
      {},
      `+${seconds(offsetMs)}  ${message.producer} → ${message.consumer}  `,
      el('code', {}, message.type),
      `  ${message.outcome}${note}`,
    ),
    // Null in a row recorded before the trace kept payloads and changes.
    message.data ? el('pre', { class: 'payload' }, JSON.stringify(message.data, null, 2)) : el('p', {}, 'not recorded'),
    message.change && Object.keys(message.change).length > 0 ? changeTable(message.change) : undefined,
  );
}

/** What an input changed in the saga's state: a row per field, before and after (– where absent). */
function changeTable(change) {
  const cell = (value) =>
    el('td', {}, value === null ? '–' : typeof value === 'string' ? value : JSON.stringify(value));
  return el(
    'table',
    { class: 'change' },
    el('thead', {}, el('tr', {}, ...['Field', 'Before', 'After'].map((h) => el('th', {}, h)))),
    el(
      'tbody',
      {},
      ...Object.entries(change).map(([field, [before, after]]) =>
        el('tr', {}, el('td', {}, el('code', {}, field)), cell(before), cell(after)),
      ),
    ),
  );
}

/**
 * An operator's actions on a running saga: cancel, retry, extend, each with its reason and a
 * confirmation. What was typed survives a redraw of the picture (`kept`, the form it replaces).
 */
function actionsOf(orderId, kept) {
  const reason = el('input', { name: 'reason', placeholder: 'why (kept in the trace)', required: '' });
  const minutes = el('input', { name: 'minutes', type: 'number', min: '1', value: '10', size: '4' });
  reason.value = kept?.elements.reason.value ?? '';
  minutes.value = kept?.elements.minutes.value ?? '10';
  const result = el('span', { class: 'result' }, kept?.querySelector('.result')?.textContent ?? '');
  const act =
    (action, question, extra = () => ({})) =>
    async () => {
      if (!reason.value.trim()) return showError(new Error('say why: the reason is kept in the trace'));
      if (!confirm(question)) return;
      try {
        const done = await api(`/sagas/${orderId}/${action}`, {
          method: 'POST',
          body: JSON.stringify({ reason: reason.value, ...extra() }),
        });
        showError(null);
        result.textContent = done.ignored
          ? `${action}: nothing changed (${done.ignored})`
          : `${action}: ${done.status}`;
      } catch (error) {
        showError(error);
      }
    };
  const button = (label, onclick) => el('button', { type: 'button', onclick }, label);
  return el(
    'form',
    { class: 'actions', onsubmit: (event) => event.preventDefault() },
    reason,
    button(
      'Cancel saga',
      act('cancel', `Cancel saga ${orderId}? It compensates what happened and the order ends CANCELLED.`),
    ),
    button('Retry', act('retry', `Send the commands saga ${orderId} still awaits again?`)),
    minutes,
    ' min ',
    button(
      'Extend',
      act('extend', `Move the deadlines of saga ${orderId} on?`, () => ({ byMs: Number(minutes.value) * 60_000 })),
    ),
    ' ',
    result,
  );
}

async function deadLettersView(mine) {
  const sections = await Promise.all(
    QUEUES.map(async (queue) => {
      try {
        const { items } = await api(`/dead-letters/${queue}`);
        return el(
          'section',
          { 'data-queue': queue },
          el('h3', {}, `${queue}: ${items.length}`),
          ...items.map((letter) =>
            el(
              'p',
              {},
              el('code', {}, letter.routingKey),
              ` ${letter.reason} (attempts ${letter.attempts}, at ${letter.deadLetteredAt}) `,
              el('button', { type: 'button', onclick: () => replay(queue, letter.id) }, 'Replay'),
              el('details', {}, el('summary', {}, 'payload'), el('pre', { class: 'payload' }, letter.payload)),
            ),
          ),
          items.length > 0
            ? el('button', { type: 'button', onclick: () => purge(queue, items.length) }, `Purge ${queue}`)
            : undefined,
        );
      } catch (error) {
        if (error.status !== 404) throw error;
        return el('section', {}, el('h3', {}, `${queue}: served by another process`));
      }
    }),
  );
  if (mine === generation) view.replaceChildren(el('h2', {}, 'Dead letters'), ...sections);
}

async function purge(queue, count) {
  if (!confirm(`Delete the ${count} dead letter(s) of ${queue} for good?`)) return;
  await api(`/dead-letters/${queue}/purge`, { method: 'POST' }).catch(showError);
  route();
}

async function replay(queue, id) {
  await api(`/dead-letters/${queue}/${encodeURIComponent(id)}/replay`, { method: 'POST' }).catch(showError);
  route();
}

/** Shows the page the hash names, and keeps it current until the hash changes. */
async function route() {
  const mine = ++generation;
  showError(null);
  if (!sessionStorage.getItem('token')) return loginView();
  nav.hidden = false;
  const [path, query] = location.hash.slice(1).split('?');
  const saga = /^\/sagas\/([0-9a-f-]{36})$/.exec(path ?? '');
  let drawn = false;
  const refresh = async () => {
    if (mine !== generation) return;
    try {
      if (saga) {
        if (!(await sagaView(saga[1], mine))) setTimeout(refresh, DIAGRAM_REFRESH_MS);
      } else if (path === '/dead-letters') {
        await deadLettersView(mine);
      } else {
        await sagasView(query ?? '', mine, drawn);
        drawn = true;
        setTimeout(refresh, LIST_REFRESH_MS);
      }
    } catch (error) {
      if (error instanceof Unauthorized) {
        sessionStorage.removeItem('token');
        return loginView();
      }
      showError(error);
      setTimeout(refresh, LIST_REFRESH_MS);
    }
  };
  await refresh();
}

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem('token');
  route();
});
window.addEventListener('hashchange', route);
route();

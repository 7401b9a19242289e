// Server-rendered pages of the example host: login, work-order list, work-order detail with the
// "Comunicazioni" tab where the module's UI extension mounts.
import { escapeHtml } from '../src/domain/escape.js'
import type { Operator } from '../src/types.js'

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; }
  body { margin: 0; background: #f4f6f8; }
  header { background: #0b5d3b; color: #fff; padding: .75rem 1.5rem; display: flex; justify-content: space-between; align-items: center; }
  header a { color: #fff; }
  main { max-width: 1100px; margin: 1.5rem auto; background: #fff; padding: 1.5rem; border-radius: 6px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #dde2e6; }
  a { color: #0b4f8a; }
  label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
  input, select { font: inherit; padding: .45rem; width: 100%; max-width: 22rem; box-sizing: border-box; }
  button { font: inherit; padding: .5rem 1rem; margin-top: 1rem; background: #0b5d3b; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
  .error { color: #a4000f; font-weight: 600; }
  [role=tablist] button { background: #e8edf1; color: #1a1a1a; margin-right: .25rem; }
  [role=tablist] button[aria-selected=true] { background: #0b5d3b; color: #fff; }
  dl { display: grid; grid-template-columns: 12rem 1fr; gap: .3rem 1rem; }
  dt { font-weight: 600; }
`

export function layout(title: string, body: string, operator: Operator | null, extraHead = ''): string {
  const who = operator ? `<span>${escapeHtml(operator.name)} · <a href="/logout">Esci</a></span>` : ''
  return `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Garbage</title><style>${STYLE}</style>${extraHead}</head>
<body><header><strong><a href="/work-orders">Garbage</a> · gestione rifiuti</strong>${who}</header>
<main>${body}</main></body></html>`
}

export function loginPage(error?: string): string {
  return layout(
    'Accesso',
    `
  <h1>Accesso operatori</h1>
  ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="/login">
    <label for="username">Utente</label>
    <input id="username" name="username" autocomplete="username" required>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Accedi</button>
  </form>
  <p>Utenti dimostrativi: <code>demo-admin</code>, <code>demo-operator</code>, <code>demo-viewer</code> (password uguale al nome utente).</p>`,
    null
  )
}

export interface WorkOrderListRow {
  id: number
  subject: string
  status: string
  type: string | null
  contributor: string
  openedAt: string
}

export function workOrderListPage(operator: Operator, rows: WorkOrderListRow[], page: number, pages: number): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td><a href="/work-orders/${r.id}">${r.id}</a></td><td>${escapeHtml(r.subject)}</td><td>${escapeHtml(r.contributor)}</td><td>${escapeHtml(r.type ?? '')}</td><td>${escapeHtml(r.status)}</td><td>${escapeHtml(r.openedAt)}</td></tr>`
    )
    .join('')
  const nav = `<nav aria-label="Pagine">${page > 1 ? `<a href="?page=${page - 1}">← Precedenti</a>` : ''} Pagina ${page} di ${pages} ${page < pages ? `<a href="?page=${page + 1}">Successivi →</a>` : ''}</nav>`
  return layout(
    'Ordini di lavoro',
    `<h1>Ordini di lavoro</h1>
  <table><thead><tr><th scope="col">N.</th><th scope="col">Oggetto</th><th scope="col">Contribuente</th><th scope="col">Tipo</th><th scope="col">Stato</th><th scope="col">Apertura</th></tr></thead>
  <tbody>${body}</tbody></table>${nav}`,
    operator
  )
}

export interface WorkOrderDetail {
  id: number
  subject: string
  description: string | null
  status: string
  type: string | null
  openedAt: string
  contributor: { id: number; name: string; fiscalCode: string | null; email: string | null; address: string | null } | null
}

/** The detail page: host data in the first tab, the module's custom element in the "Comunicazioni" tab. */
export function workOrderDetailPage(operator: Operator, wo: WorkOrderDetail, moduleUi: { script: string; apiBase: string } | null): string {
  const c = wo.contributor
  const communications = moduleUi
    ? `<trc-communications work-order-id="${wo.id}" api-base="${escapeHtml(moduleUi.apiBase)}" lang="it"></trc-communications>`
    : '<p>Il modulo Comunicazioni non è disponibile.</p>'
  const head = moduleUi ? `<script type="module" src="${escapeHtml(moduleUi.script)}"></script>` : ''
  return layout(
    `Ordine di lavoro ${wo.id}`,
    `
  <h1>Ordine di lavoro n. ${wo.id}</h1>
  <div role="tablist" aria-label="Sezioni dell'ordine di lavoro">
    <button role="tab" id="tab-dati" aria-controls="panel-dati" aria-selected="true">Dati</button>
    <button role="tab" id="tab-comunicazioni" aria-controls="panel-comunicazioni" aria-selected="false" tabindex="-1">Comunicazioni</button>
  </div>
  <section role="tabpanel" id="panel-dati" aria-labelledby="tab-dati">
    <dl>
      <dt>Oggetto</dt><dd>${escapeHtml(wo.subject)}</dd>
      <dt>Descrizione</dt><dd>${escapeHtml(wo.description ?? '')}</dd>
      <dt>Stato</dt><dd>${escapeHtml(wo.status)}</dd>
      <dt>Tipo</dt><dd>${escapeHtml(wo.type ?? '')}</dd>
      <dt>Apertura</dt><dd>${escapeHtml(wo.openedAt)}</dd>
      <dt>Contribuente</dt><dd>${c ? `${escapeHtml(c.name)} (n. ${c.id})` : '—'}</dd>
      <dt>Codice fiscale</dt><dd>${escapeHtml(c?.fiscalCode ?? '')}</dd>
      <dt>Email</dt><dd>${escapeHtml(c?.email ?? '')}</dd>
      <dt>Indirizzo</dt><dd>${escapeHtml(c?.address ?? '')}</dd>
    </dl>
  </section>
  <section role="tabpanel" id="panel-comunicazioni" aria-labelledby="tab-comunicazioni" hidden>${communications}</section>
  <script>
    // Tabs: ARIA pattern with arrow keys; the fragment #comunicazioni opens the module's tab directly.
    const tabs = [...document.querySelectorAll('[role=tab]')];
    function select(tab) {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute('aria-selected', String(on)); t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
      }
      tab.focus();
    }
    tabs.forEach((t, i) => {
      t.addEventListener('click', () => { select(t); history.replaceState(null, '', t.id === 'tab-comunicazioni' ? '#comunicazioni' : '#'); });
      t.addEventListener('keydown', (e) => {
        if (e.key === 'ArrowRight') select(tabs[(i + 1) % tabs.length]);
        if (e.key === 'ArrowLeft') select(tabs[(i - 1 + tabs.length) % tabs.length]);
      });
    });
    if (location.hash === '#comunicazioni') select(tabs[1]);
  </script>`,
    operator,
    head
  )
}

/** The operators' home page: the module's worklist; a click opens the work order page (its Comunicazioni tab). */
export function worklistPage(operator: Operator, moduleUi: { script: string; apiBase: string } | null): string {
  const worklist = moduleUi
    ? `<trc-worklist api-base="${escapeHtml(moduleUi.apiBase)}" lang="it" work-order-url="/work-orders/{id}#comunicazioni"></trc-worklist>`
    : '<p>Il modulo Comunicazioni non è disponibile.</p>'
  const head = moduleUi ? `<script type="module" src="${escapeHtml(moduleUi.script)}"></script>` : ''
  return layout('Da lavorare', `${worklist}<p><a href="/work-orders">Tutti gli ordini di lavoro</a></p>`, operator, head)
}

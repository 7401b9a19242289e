// The example host's mailbox page for administrators: each mailbox with its state, and for OAuth2 mailboxes the
// button that starts the consent (the module's POST /mailboxes/:id/oauth/start) and sends the browser to the
// provider; the module's callback brings it back here.
import type { MailboxHealth } from '../src/service.js'
import type { MailboxView } from '../src/mail/mailbox-manager.js'
import type { Operator } from '../src/types.js'
import { escapeHtml } from '../src/domain/escape.js'
import { layout } from './pages.js'

const STATES: Record<string, string> = {
  idle: 'In ascolto',
  syncing: 'Lettura in corso',
  connecting: 'Connessione…',
  backoff: 'Errore, nuovo tentativo a breve',
  'auth-failed': 'Autorizzazione da rinnovare',
  standby: 'Gestita da un’altra istanza',
  stopped: 'Ferma',
  disabled: 'Disattivata'
}

function row(mailbox: MailboxView, health: MailboxHealth | undefined): string {
  const oauth = mailbox.oauth
  const state = health?.state ?? 'stopped'
  const button = oauth ? `<button type="button" data-connect="${mailbox.id}">${oauth.connected ? 'Ricollega con OAuth2' : 'Collega con OAuth2'}</button>` : ''
  // the last error only while it still holds (a reconnecting mailbox keeps it until it is idle again)
  const failing = state === 'backoff' || state === 'auth-failed'
  const error = failing && health?.lastError ? `<p class="error" role="status">${escapeHtml(health.lastError)}</p>` : ''
  return `<tr data-mailbox="${mailbox.id}"><td>${escapeHtml(mailbox.name)}</td><td>${escapeHtml(mailbox.username)}</td>
  <td>${oauth ? `OAuth2 (${escapeHtml(oauth.provider)})` : 'Password'}</td><td><span data-state="${escapeHtml(state)}">${escapeHtml(STATES[state] ?? state)}</span>${error}</td>
  <td>${button}</td></tr>`
}

export function mailboxesPage(operator: Operator, apiBase: string, mailboxes: MailboxView[], health: MailboxHealth[], connected: number | null): string {
  const byId = new Map(health.map((h) => [h.id, h]))
  const notice = connected !== null ? `<p role="status" id="oauth-notice">Casella ${connected} collegata con OAuth2.</p>` : ''
  const script = `<script type="module">
  for (const button of document.querySelectorAll('[data-connect]')) {
    button.addEventListener('click', async () => {
      button.disabled = true
      const res = await fetch(${JSON.stringify(apiBase)} + '/mailboxes/' + button.dataset.connect + '/oauth/start', {
        method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ returnTo: '/admin/mailboxes' })
      })
      const body = await res.json()
      if (res.ok) location.assign(body.authorizationUrl)
      else { button.disabled = false; alert(body.message) }
    })
  }
  </script>`
  return layout(
    'Caselle di posta',
    `<h1>Caselle di posta</h1>${notice}
  <table><thead><tr><th scope="col">Nome</th><th scope="col">Utente</th><th scope="col">Accesso</th><th scope="col">Stato</th><th scope="col">Azioni</th></tr></thead>
  <tbody>${mailboxes.map((m) => row(m, byId.get(m.id))).join('')}</tbody></table>${script}`,
    operator
  )
}

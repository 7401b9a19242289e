// User-facing text in Italian (default) and English. Keys are English; messages are what an operator reads.
import type { FastifyRequest } from 'fastify'

export type Locale = 'it' | 'en'

const messages = {
  unauthorized: { it: 'Autenticazione richiesta: accedi per continuare.', en: 'Authentication required: please sign in.' },
  forbidden: { it: 'Non hai il permesso di eseguire questa operazione ({permission}).', en: 'You do not have permission for this operation ({permission}).' },
  workOrderNotFound: { it: 'Ordine di lavoro {id} non trovato.', en: 'Work order {id} not found.' },
  messageNotFound: { it: 'Messaggio {id} non trovato.', en: 'Message {id} not found.' },
  attachmentNotFound: { it: 'Allegato {id} non trovato.', en: 'Attachment {id} not found.' },
  contributorNotFound: { it: 'Contribuente {id} non trovato.', en: 'Contributor {id} not found.' },
  mailboxNotFound: { it: 'Casella di posta {id} non trovata.', en: 'Mailbox {id} not found.' },
  invalidId: { it: 'Identificativo non valido: "{value}". Serve un numero intero positivo.', en: 'Invalid id: "{value}". A positive integer is required.' },
  invalidRequest: { it: 'Richiesta non valida: {detail}', en: 'Invalid request: {detail}' },
  internalError: { it: 'Errore interno: riprova più tardi. Se il problema persiste contatta l\'assistenza.', en: 'Internal error: please try again later. If the problem persists, contact support.' },
  notFoundRoute: { it: 'Risorsa non trovata: {method} {url}', en: 'Resource not found: {method} {url}' },
  stateNotMapped: { it: 'Lo stato "{state}" non è configurato per questo gestionale.', en: 'State "{state}" is not configured for this host.' },
  uiBundleMissing: { it: 'L\'interfaccia Comunicazioni non è stata compilata ({file} mancante): esegui `node ui-extension/build.mjs`.', en: 'The Communications UI has not been built ({file} is missing): run `node ui-extension/build.mjs`.' }
} as const

export type MessageKey = keyof typeof messages

export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template: string = messages[key][locale]
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

/** `?lang=en|it` wins, then the first Accept-Language tag we support, then the configured default. */
export function requestLocale(request: FastifyRequest, fallback: Locale): Locale {
  const query = request.query as Record<string, unknown> | undefined
  const lang = typeof query?.lang === 'string' ? query.lang : undefined
  if (lang === 'it' || lang === 'en') return lang
  const header = request.headers['accept-language']
  if (typeof header === 'string') {
    for (const part of header.split(',')) {
      const tag = part.trim().slice(0, 2).toLowerCase()
      if (tag === 'it' || tag === 'en') return tag
    }
  }
  return fallback
}

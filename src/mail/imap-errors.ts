// What went wrong with a mailbox, in words an administrator can act on: imapflow reports a refused login as
// "Command failed" with the server's words in `responseText`; the socket errors carry a Node error code.
import type { MessageKey } from '../i18n.js'
import type { ErrorDetail } from '../repositories/mailboxes.js'

export interface ImapErrorContext {
  host: string
  port: number
  username: string
  folder: string
}

interface ImapflowError {
  message?: string
  code?: string
  responseText?: string
  responseStatus?: string
  authenticationFailed?: boolean
  serverResponseCode?: string
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'NoConnection',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT'
])

export interface DescribedError extends ErrorDetail {
  key: MessageKey
  /** A refused login: retrying soon will not help (and may lock the account). */
  authentication: boolean
}

export function describeImapError(err: unknown, mb: ImapErrorContext): DescribedError {
  const e = (err ?? {}) as ImapflowError
  const server = `${mb.host}:${mb.port}`
  const detail = (e.responseText?.trim() || e.message || String(err)).slice(0, 500)
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return { key: 'imapAuthFailed', params: { user: mb.username, server, detail }, authentication: true }
  }
  if (e.code && NETWORK_CODES.has(e.code))
    return { key: 'imapUnreachable', params: { server, detail: `${e.code}: ${e.message ?? ''}`.trim() }, authentication: false }
  if (e.serverResponseCode === 'NONEXISTENT' || (e.responseStatus === 'NO' && /mailbox|folder/i.test(detail) && /exist|not found/i.test(detail))) {
    return { key: 'imapFolderMissing', params: { folder: mb.folder, server, detail }, authentication: false }
  }
  if (e.responseText) return { key: 'imapCommandRefused', params: { server, detail }, authentication: false }
  return { key: 'imapError', params: { server, detail }, authentication: false }
}

// Which SMTP transport a mail leaves through: the outgoing server of the mailbox it is sent from (the mailbox the
// citizen wrote to), or the default SMTP_URL. One pooled transport per server, built on first use and rebuilt
// when an administrator changes the mailbox's server.
import { decryptSecret } from '../crypto.js'
import type { MailboxRecord, MailboxRepository } from '../repositories/mailboxes.js'
import type { OAuthTokens } from './oauth2.js'
import { createSmtpTransport, type SmtpTransport } from './smtp.js'

export interface TransportRegistryDeps {
  mailboxes: Pick<MailboxRepository, 'findById'>
  secret: string
  /** The default outgoing server (SMTP_URL); null: only mailboxes with their own server can send. */
  defaultUrl: string | null
  /** Access tokens of OAuth2 mailboxes: their own server is signed in to with XOAUTH2. */
  tokens?: Pick<OAuthTokens, 'accessToken'>
}

/** What a transport was built from: a change of server or of sign-in rebuilds it. */
function transportKey(mailbox: MailboxRecord): string {
  return `${mailbox.authMethod}\u0000${mailbox.oauthDelegate ?? ''}\u0000${mailbox.smtpUrlEncrypted ?? ''}`
}

export function createTransportRegistry(deps: TransportRegistryDeps) {
  const defaultTransport = deps.defaultUrl ? createSmtpTransport(deps.defaultUrl) : null
  /** By mailbox id: the encrypted URL it was built from (a change rebuilds it) and the transport. */
  const own = new Map<number, { key: string; transport: SmtpTransport }>()

  return {
    /** True when mail can leave at all: a default server, or at least one mailbox that has its own. */
    hasDefault: defaultTransport !== null,

    async forMailbox(mailboxId: number | null | undefined): Promise<SmtpTransport | null> {
      if (mailboxId == null) return defaultTransport
      const mailbox = await deps.mailboxes.findById(mailboxId)
      const cached = own.get(mailboxId)
      if (!mailbox?.smtpUrlEncrypted) {
        if (cached) {
          own.delete(mailboxId)
          cached.transport.close()
        }
        return defaultTransport
      }
      const key = transportKey(mailbox)
      if (cached?.key === key) return cached.transport
      cached?.transport.close()
      const tokens = deps.tokens
      // a shared mailbox: the delegate signs in, the mail still says From the shared address
      const oauth2 =
        mailbox.authMethod === 'oauth2' && tokens
          ? { user: mailbox.oauthDelegate ?? mailbox.username, accessToken: (renew: boolean) => tokens.accessToken(mailboxId, renew) }
          : undefined
      const transport = createSmtpTransport(decryptSecret(mailbox.smtpUrlEncrypted, deps.secret), { oauth2 })
      own.set(mailboxId, { key, transport })
      return transport
    },

    close(): void {
      defaultTransport?.close()
      for (const { transport } of own.values()) transport.close()
      own.clear()
    }
  }
}

export type TransportRegistry = ReturnType<typeof createTransportRegistry>

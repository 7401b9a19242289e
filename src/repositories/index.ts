// One object with every repository, bound to a Knex instance or to a transaction.
import type { Knex } from 'knex'
import type { HostMapping } from '../options.js'
import { createArchiveImportRepository } from './archive-imports.js'
import { createAreraRepository } from './arera.js'
import { createAttachmentRepository } from './attachments.js'
import { createAttachmentScanRepository } from './attachment-scans.js'
import { createPrivacyRepository } from './privacy.js'
import { createAuditRepository } from './audit.js'
import { createChangeRepository } from './changes.js'
import { createHostRepository } from './host.js'
import { createIntakeRequestRepository } from './intake-requests.js'
import { createMailboxRepository } from './mailboxes.js'
import { createMessageRepository } from './messages.js'
import { createNotificationRepository } from './notifications.js'
import { createOAuthConsentRepository } from './oauth-consents.js'
import { createOutboxRepository } from './outbox.js'
import { createQuarantineRepository } from './quarantine.js'
import { createRelationRepository } from './relations.js'
import { createSearchRepository } from './search.js'
import { createSettingsRepository } from './settings.js'
import { createSpamRepository } from './spam.js'
import { createTemplateRepository } from './templates.js'
import { createWorkOrderMetaRepository } from './work-order-meta.js'
import { createWorklistRepository } from './worklist.js'

export interface Repositories {
  db: Knex | Knex.Transaction
  host: ReturnType<typeof createHostRepository>
  messages: ReturnType<typeof createMessageRepository>
  attachments: ReturnType<typeof createAttachmentRepository>
  attachmentScans: ReturnType<typeof createAttachmentScanRepository>
  privacy: ReturnType<typeof createPrivacyRepository>
  workOrderMeta: ReturnType<typeof createWorkOrderMetaRepository>
  mailboxes: ReturnType<typeof createMailboxRepository>
  audit: ReturnType<typeof createAuditRepository>
  settings: ReturnType<typeof createSettingsRepository>
  outbox: ReturnType<typeof createOutboxRepository>
  quarantine: ReturnType<typeof createQuarantineRepository>
  arera: ReturnType<typeof createAreraRepository>
  intakeRequests: ReturnType<typeof createIntakeRequestRepository>
  spam: ReturnType<typeof createSpamRepository>
  archiveImports: ReturnType<typeof createArchiveImportRepository>
  templates: ReturnType<typeof createTemplateRepository>
  relations: ReturnType<typeof createRelationRepository>
  notifications: ReturnType<typeof createNotificationRepository>
  /** The change feed open browsers follow (append in the transaction of the change). */
  changes: ReturnType<typeof createChangeRepository>
  oauthConsents: ReturnType<typeof createOAuthConsentRepository>
  search: ReturnType<typeof createSearchRepository>
  worklist: ReturnType<typeof createWorklistRepository>
  /** Runs `work` in one transaction with repositories bound to it. Sequential statements only (SQL Server). */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>
}

export interface RepositorySettings {
  /** Scan state of new attachment rows: 'pending' when an antivirus is configured (default 'off'). */
  initialScan?: 'pending' | 'off'
}

export function createRepositories(db: Knex | Knex.Transaction, mapping: HostMapping, settings: RepositorySettings = {}): Repositories {
  return {
    db,
    host: createHostRepository(db, mapping),
    messages: createMessageRepository(db),
    attachments: createAttachmentRepository(db, settings.initialScan),
    attachmentScans: createAttachmentScanRepository(db),
    privacy: createPrivacyRepository(db, mapping),
    workOrderMeta: createWorkOrderMetaRepository(db),
    mailboxes: createMailboxRepository(db),
    audit: createAuditRepository(db),
    settings: createSettingsRepository(db),
    outbox: createOutboxRepository(db),
    quarantine: createQuarantineRepository(db),
    arera: createAreraRepository(db),
    intakeRequests: createIntakeRequestRepository(db),
    spam: createSpamRepository(db),
    archiveImports: createArchiveImportRepository(db),
    templates: createTemplateRepository(db),
    relations: createRelationRepository(db),
    notifications: createNotificationRepository(db),
    changes: createChangeRepository(db),
    oauthConsents: createOAuthConsentRepository(db),
    search: createSearchRepository(db, mapping),
    worklist: createWorklistRepository(db, mapping),
    transaction: (work) => db.transaction((trx) => work(createRepositories(trx, mapping, settings)))
  }
}

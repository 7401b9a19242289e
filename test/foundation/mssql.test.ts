// SQL Server is the production target: compile every migration and every repository query with Knex's mssql
// client and check what SQL Server would get (TOP not LIMIT, OUTPUT handling, datetime2, nvarchar, no
// PostgreSQL/SQLite-only syntax).
import t, { type Test } from 'tap'
import { migrationSource } from '../../migrations/index.js'
import { createRepositories } from '../../src/repositories/index.js'
import { mssqlDateTime2Binding } from '../../src/database/connection.js'
import { HOST_MAPPING } from '../../example-host/app.js'
import { recordingKnex, type RecordedQuery } from '../helpers/recording-knex.js'
import { TYPES } from 'tedious'

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\blimit\b/i, 'LIMIT (SQL Server uses TOP/OFFSET FETCH)'],
  [/\breturning\b/i, 'RETURNING (SQL Server uses OUTPUT)'],
  [/\bilike\b/i, 'ILIKE'],
  [/::\w+/, 'PostgreSQL casts'],
  [/\bon conflict\b/i, 'ON CONFLICT'],
  [/\bnow\(\)/i, 'now()'],
  [/\btimestamptz\b/i, 'timestamptz'],
  [/"[a-z_]+"/, 'double-quoted identifiers']
]

function checkPortable(t: Test, q: RecordedQuery): void {
  for (const [pattern, what] of FORBIDDEN) t.notMatch(q.sql, pattern, `no ${what}: ${q.sql.slice(0, 120)}`)
}

t.test('migrations compile to SQL Server DDL', async (t) => {
  const { knex, queries } = recordingKnex('mssql')
  for (const migration of await migrationSource.getMigrations([])) {
    const m = await migrationSource.getMigration(migration)
    await m.up(knex)
  }
  const ddl = queries.map((q) => q.sql).join(';\n')
  t.match(ddl, /CREATE TABLE \[trc_messages\]/)
  t.notMatch(ddl, /\bdatetime\b(?!2)/i, 'no legacy DATETIME columns')
  t.match(ddl, /\[created_at\] datetime2/, 'timestamps are datetime2')
  t.notMatch(ddl, / text\b/i, 'no deprecated TEXT type (nvarchar(max) instead)')
  t.match(ddl, /\[html\] nvarchar\(max\)/)
  t.match(ddl, /\[dedupe_key\] nvarchar\(64\) not null/, 'the indexed Message-ID hash is short and NOT NULL')
  t.notMatch(ddl, /index[^;]*\[message_id\][^;]*nvarchar\(max\)/i)
  t.match(ddl, /\[content\] varbinary\(max\)/)
  // every unique index is over NOT NULL columns: SQL Server allows a single NULL in a unique index
  for (const m of ddl.matchAll(/CONSTRAINT \[(\w+)\] UNIQUE \(([^)]+)\)/gi)) {
    for (const col of (m[2] ?? '').split(',').map((c) => c.trim().replace(/[[\]]/g, ''))) {
      t.match(ddl, new RegExp(`\\[${col}\\] [a-z0-9()]+ not null`), `unique column ${col} is NOT NULL (${m[1]})`)
    }
  }
  for (const q of queries) checkPortable(t, q)
  t.match(ddl, /CREATE TABLE \[trc_search_documents\] \(\[message_id\] int not null, \[content\] nvarchar\(max\) not null/)
  t.match(ddl, /IF FULLTEXTSERVICEPROPERTY\('IsFullTextInstalled'\) = 1/, 'full-text only where SQL Server has it installed')
  t.match(ddl, /CREATE FULLTEXT CATALOG trc_search_catalog WITH ACCENT_SENSITIVITY = OFF/)
  t.match(ddl, /CREATE FULLTEXT INDEX ON trc_search_documents \(content LANGUAGE 1040\) KEY INDEX trc_search_documents_pkey/, 'Italian word breaker')
  t.notMatch(ddl, /tsvector|fts5/i, 'no other engine on SQL Server')
})

t.test('every repository query compiles for SQL Server', async (t) => {
  const { knex, queries } = recordingKnex('mssql')
  const repos = createRepositories(knex, HOST_MAPPING)
  const now = new Date('2026-01-01T00:00:00Z')
  const called = new Set<string>()
  const track = <T>(name: string, p: Promise<T> | T) => {
    called.add(name)
    return p
  }
  const mark = () => queries.length

  // host tables through the mapping
  let from = mark()
  await track(
    'host.createWorkOrder',
    repos.host.createWorkOrder({ contributorId: 1, state: 'open', type: 'reclamo_scritto', subject: 's', description: 'd', createdAt: now })
  )
  const insertHost = queries
    .slice(from)
    .map((q) => q.sql)
    .join(';')
  t.match(insertHost, /output inserted\.\[id_odl\] into #out/i, 'host insert tolerates triggers (includeTriggerModifications)')
  from = mark()
  await track('host.findContributorsByEmail', repos.host.findContributorsByEmail('A@B.it'))
  t.match(queries[from]?.sql ?? '', /select top \(@p\d+\)|select top \(\?\)/i)
  t.match(queries[from]?.sql ?? '', /LOWER\(\[email\]\) = @p1/)
  await track('host.findContributor', repos.host.findContributor(1))
  await track('host.findContributorsByIds', repos.host.findContributorsByIds([1, 2]))
  await track('host.findContributorsByFiscalCode', repos.host.findContributorsByFiscalCode('RSSMRA80A01H501U'))
  await track('host.findWorkOrder', repos.host.findWorkOrder(1))
  await track('host.setWorkOrderState', repos.host.setWorkOrderState(1, 'closed'))
  await track('host.setWorkOrderContributor', repos.host.setWorkOrderContributor(1, 2))
  await track('host.setWorkOrderType', repos.host.setWorkOrderType(1, 'altro'))
  await track('host.findWorkOrdersByIds', repos.host.findWorkOrdersByIds([1, 2]))
  track('host.supportsState', repos.host.supportsState('waiting'))

  from = mark()
  await track(
    'messages.insert',
    repos.messages.insert({
      workOrderId: 1,
      contributorId: 1,
      direction: 'inbound',
      channel: 'email',
      messageId: '<a@b>',
      dedupeKey: 'k',
      from: 'a@b',
      to: [],
      cc: [],
      subject: 's',
      html: null,
      text: null,
      createdAt: now
    })
  )
  t.match(queries[from]?.sql ?? '', /output inserted\.\[id\]/i)
  await track('messages.findById', repos.messages.findById(1))
  await track('messages.findByIds', repos.messages.findByIds([1, 2]))
  await track('messages.findByDedupeKey', repos.messages.findByDedupeKey('k'))
  await track('messages.existsByDedupeKey', repos.messages.existsByDedupeKey('k'))
  await track('messages.findContentHash', repos.messages.findContentHash('k'))
  await track('messages.findByDedupeKeys', repos.messages.findByDedupeKeys(['k1', 'k2']))
  await track('messages.listByWorkOrder', repos.messages.listByWorkOrder(1))
  await track('messages.search', repos.messages.search({ messageIdHash: 'k', from: 'x@y', workOrderId: 1 }))
  await track('messages.setMessageId', repos.messages.setMessageId(1, 'a@b', 'k'))
  await track('messages.setDeliveryStatus', repos.messages.setDeliveryStatus(1, 'sent'))
  await track('messages.setDeliveryStatus', repos.messages.setDeliveryStatus(1, 'delivered', null, ['sent', 'accepted']))
  await track('messages.assignContributor', repos.messages.assignContributor(1, 2))
  await track('messages.lastInbound', repos.messages.lastInbound(1))

  await track(
    'attachments.insert',
    repos.attachments.insert({
      messageId: 1,
      filename: 'a.pdf',
      contentType: 'application/pdf',
      size: 1,
      sha256: 'x',
      contentId: null,
      inline: false,
      storage: 'database',
      storageKey: null,
      content: Buffer.from('x'),
      createdAt: now
    })
  )
  await track('attachments.findById', repos.attachments.findById(1))
  await track('attachments.listByMessageIds', repos.attachments.listByMessageIds([1, 2]))
  await track('attachments.readContent', repos.attachments.readContent(1))
  from = mark()
  await track('attachmentScans.listDue', repos.attachmentScans.listDue(now, 20))
  t.match(queries[from]?.sql ?? '', /select top \(@p\d+\) \[id\] from \[trc_attachments\]/i)
  from = mark()
  await track('attachmentScans.claim', repos.attachmentScans.claim(1, now, now))
  t.match(queries[from]?.sql ?? '', /^update \[trc_attachments\] set .* where \[id\] = @p\d+ and/i, 'a scan claim is one conditional UPDATE')
  await track('attachmentScans.retryAt', repos.attachmentScans.retryAt(1, now, 'x', true))
  await track('attachmentScans.markClean', repos.attachmentScans.markClean(1, now))
  await track('attachmentScans.markError', repos.attachmentScans.markError(1, 'x', now))
  await track('attachmentScans.quarantine', repos.attachmentScans.quarantine(1, 'Sig', Buffer.from('x'), now))
  await track('attachmentScans.countServingStorageKey', repos.attachmentScans.countServingStorageKey('k', 1))
  await track('attachmentScans.countInfectedByWorkOrder', repos.attachmentScans.countInfectedByWorkOrder(1))
  await track('attachmentScans.counts', repos.attachmentScans.counts())

  await track('privacy.workOrderIdsByContributor', repos.privacy.workOrderIdsByContributor(1))
  await track('privacy.workOrderIdsByEmail', repos.privacy.workOrderIdsByEmail('A@B.it'))
  from = mark()
  await track('privacy.messagesOfAddress', repos.privacy.messagesOfAddress('A_b%[x@c.it'))
  t.match(queries[from]?.sql ?? '', /LOWER\(\[to_json\]\) LIKE @p\d+ ESCAPE '!'/)
  t.same(queries[from]?.bindings, ['a_b%[x@c.it', '%a!_b!%![x@c.it%', '%a!_b!%![x@c.it%'], "LIKE wildcards (SQL Server's [ too) matched literally")
  await track('privacy.correspondenceOfWorkOrders', repos.privacy.correspondenceOfWorkOrders([1, 2]))
  await track('privacy.looseMessageIds', repos.privacy.looseMessageIds({ contributorId: 1, email: 'a@b.it' }, [1, 2]))
  from = mark()
  await track('privacy.listExpiredWorkOrders', repos.privacy.listExpiredWorkOrders(now, now, 200))
  t.match(
    queries[from]?.sql ?? '',
    /select top \(@p\d+\) \[m\]\.\[work_order_id\] from \[trc_work_order_meta\] as \[m\] inner join \[ordini_lavoro\] as \[h\].* and not exists \(select/i,
    'one query: host join and a NOT EXISTS'
  )
  await track('privacy.messageIdsOfWorkOrders', repos.privacy.messageIdsOfWorkOrders([1, 2]))
  await track('privacy.attachmentFilesOfMessages', repos.privacy.attachmentFilesOfMessages([1, 2]))
  await track('privacy.countByStorageKey', repos.privacy.countByStorageKey('k'))
  await track('privacy.redactMessages', repos.privacy.redactMessages([1, 2]))
  await track('privacy.deleteAttachments', repos.privacy.deleteAttachments([1, 2]))
  await track('privacy.deleteSettledOutbox', repos.privacy.deleteSettledOutbox([1, 2]))
  await track('privacy.redactIntake', repos.privacy.redactIntake([1, 2], now))
  await track('privacy.redactAudit', repos.privacy.redactAudit([1, 2]))
  await track('privacy.redactNotifications', repos.privacy.redactNotifications([1, 2]))
  await track('privacy.clearHostDescriptions', repos.privacy.clearHostDescriptions([1, 2]))
  await track('privacy.markAnonymized', repos.privacy.markAnonymized([1, 2], now))
  for (const kind of ['quarantine', 'spam', 'infected', 'audit'] as const) {
    await track('privacy.countPurgeable', repos.privacy.countPurgeable(kind, now))
    await track('privacy.purge', repos.privacy.purge(kind, now))
  }

  await track(
    'workOrderMeta.insert',
    repos.workOrderMeta.insert({
      workOrderId: 1,
      reference: 'R',
      areraType: null,
      channel: 'email',
      receivedAt: now,
      dueDate: '2026-02-01',
      publicToken: 't',
      now
    })
  )
  await track('workOrderMeta.find', repos.workOrderMeta.find(1))
  await track('workOrderMeta.findByPublicToken', repos.workOrderMeta.findByPublicToken('t'))
  await track('workOrderMeta.update', repos.workOrderMeta.update(1, { areraType: 'altro', replySentAt: now, typeConfirmedAt: now, typeConfirmedBy: 'op' }))
  await track('workOrderMeta.listReceivedBetween', repos.workOrderMeta.listReceivedBetween(now, now))
  await track('workOrderMeta.listAwaitingReply', repos.workOrderMeta.listAwaitingReply())
  await track('workOrderMeta.findByIds', repos.workOrderMeta.findByIds([1, 2]))
  from = mark()
  await track('workOrderMeta.touchPublic', repos.workOrderMeta.touchPublic(1, now))
  t.match(queries[from]?.sql ?? '', /^update \[trc_work_order_meta\] set \[public_changed_at\] = @p0/i)
  await track(
    'workOrderMeta.updateServiceClock',
    repos.workOrderMeta.updateServiceClock(
      1,
      {
        type: 'segnalazione_disservizio',
        inspection: true,
        startedAt: now,
        dueDate: '2026-01-08',
        doneAt: null,
        missCause: null,
        confirmedAt: now,
        confirmedBy: 'op'
      },
      now
    )
  )
  await repos.workOrderMeta.updateServiceClock(1, { type: null }, now)
  await track('workOrderMeta.listAwaitingService', repos.workOrderMeta.listAwaitingService())
  await track('workOrderMeta.listUndated', repos.workOrderMeta.listUndated())
  await track('host.municipalitiesOf', repos.host.municipalitiesOf([1, 2]))
  from = mark()
  await track('host.countUsersOn', repos.host.countUsersOn('2026-12-31', 1))
  t.match(queries[from]?.sql ?? '', /count\(\*\) as \[n\] from \[contribuenti\] .*group by \[comune\]/i, 'users at 31 December: one grouped COUNT')

  await track(
    'intakeRequests.insert',
    repos.intakeRequests.insert({
      workOrderId: 1,
      reference: 'R',
      channel: 'app',
      serviceCode: 'altro',
      service: null,
      address: 'Via Roma 1',
      latitude: 45.4642,
      longitude: 9.19,
      email: 'a@b.it',
      mediaUrl: null,
      clientName: 'app',
      submittedAt: now
    })
  )
  await track('intakeRequests.find', repos.intakeRequests.find(1))
  await track('intakeRequests.findByReference', repos.intakeRequests.findByReference('R'))
  from = mark()
  await track('intakeRequests.countByEmailSince', repos.intakeRequests.countByEmailSince('A@B.it', now))
  t.match(queries[from]?.sql ?? '', /count\(\*\)/i, 'per-address limit is one COUNT')
  from = mark()
  await track('intakeRequests.list', repos.intakeRequests.list({ serviceCodes: ['altro'], from: now, to: now, limit: 1000 }))
  t.match(queries[from]?.sql ?? '', /select top \(@p\d+\) \* from \[trc_intake_requests\]/i)
  from = mark()
  await track(
    'intakeRequests.listByReferences',
    repos.intakeRequests.listByReferences(Array.from({ length: 2000 }, (_, i) => `RC-2026-${String(i).padStart(6, '0')}`))
  )
  const chunks = queries.slice(from)
  t.equal(chunks.length, 4, '2,000 references: four statements')
  t.ok(
    chunks.every((q) => q.bindings.length <= 500),
    "each under SQL Server's 2,100 parameters"
  )
  await track('intakeRequests.setPublication', repos.intakeRequests.setPublication(1, { approved: true, description: 'x', by: 'op' }, now))
  await track('intakeRequests.setStatusNotes', repos.intakeRequests.setStatusNotes(1, 'x', now))

  await track(
    'arera.insertClockEvent',
    repos.arera.insertClockEvent({ workOrderId: 1, action: 'suspend', reason: 'r', days: null, at: now, actorId: 'op', actorName: 'Op' })
  )
  await track('arera.listClockEvents', repos.arera.listClockEvents(1))
  await track('arera.listClockEventsFor', repos.arera.listClockEventsFor([1, 2]))
  await track('arera.inboundMailboxes', repos.arera.inboundMailboxes([1, 2]))
  await track('arera.claimDigestRun', repos.arera.claimDigestRun('2026-01-01', 'me', now))
  await track('arera.releaseDigestRun', repos.arera.releaseDigestRun('2026-01-01'))

  const mailbox = {
    name: 'n',
    host: 'h',
    port: 143,
    secure: false,
    username: 'u',
    passwordEncrypted: 'p',
    folder: 'INBOX',
    fromAddress: null,
    fromName: null,
    enabled: true,
    moveToFolder: null,
    maxMessageBytes: null,
    source: 'api' as const
  }
  await track('mailboxes.insert', repos.mailboxes.insert(mailbox, now))
  await track('mailboxes.list', repos.mailboxes.list())
  await track('mailboxes.findById', repos.mailboxes.findById(1))
  await track('mailboxes.findByAccount', repos.mailboxes.findByAccount('h', 143, 'u', 'INBOX'))
  await track('mailboxes.update', repos.mailboxes.update(1, { enabled: false }))
  await track('mailboxes.update', repos.mailboxes.update(1, { smtpUrlEncrypted: 'v1:x', pec: true }))
  await track('mailboxes.remove', repos.mailboxes.remove(1))
  await track('mailboxes.listStates', repos.mailboxes.listStates())
  await track('mailboxes.findState', repos.mailboxes.findState(1))
  from = mark()
  await track('mailboxes.acquireLease', repos.mailboxes.acquireLease(1, 'me', 30_000, now))
  t.match(
    queries[from]?.sql ?? '',
    /update \[trc_mailbox_state\] set .* where \[mailbox_id\] = @p\d+ and \(\[lease_owner\] is null or \[lease_owner\] = @p\d+ or \[lease_expires_at\] < @p\d+\)/i,
    'lease is one conditional UPDATE'
  )
  await track('mailboxes.releaseLease', repos.mailboxes.releaseLease(1, 'me'))
  await track('mailboxes.setState', repos.mailboxes.setState(1, 'idle', null))
  await track('mailboxes.startCheckpoint', repos.mailboxes.startCheckpoint(1, 'me', '9', 41))
  await track('mailboxes.resetCheckpoint', repos.mailboxes.resetCheckpoint(1, 'me', '9'))
  await track('mailboxes.advanceCheckpoint', repos.mailboxes.advanceCheckpoint(1, 'me', '123', 5))
  await track('mailboxes.recordIngestFailure', repos.mailboxes.recordIngestFailure(1, 'me', 5, 'boom', now))
  await track('mailboxes.claimFailureAlert', repos.mailboxes.claimFailureAlert(1, now, now))
  await track('mailboxes.claimRecoveryAlert', repos.mailboxes.claimRecoveryAlert(1, now))
  await track('mailboxes.update', repos.mailboxes.update(1, { authMethod: 'oauth2', oauthRefreshTokenEncrypted: 'v1:r', oauthConnectedAt: now.toISOString() }))
  const consent = { stateHash: 'a'.repeat(64), mailboxId: 1, codeVerifierEncrypted: 'v1:c', redirectUri: 'https://h/cb', operatorId: 'op', returnTo: null }
  await track('oauthConsents.insert', repos.oauthConsents.insert({ ...consent, expiresAt: now.toISOString() }, now))
  from = mark()
  await track('oauthConsents.take', repos.oauthConsents.take('a'.repeat(64), now))
  t.match(
    queries[from + 1]?.sql ?? '',
    /^delete from \[trc_oauth_pending\] where \[state_hash\] = @p0 and \[expires_at\] > @p1/i,
    'a consent is taken by one conditional DELETE'
  )
  await track('oauthConsents.deleteExpired', repos.oauthConsents.deleteExpired(now))

  await track('audit.record', repos.audit.record({ actorType: 'system', action: 'x' }))
  await track('audit.listByWorkOrder', repos.audit.listByWorkOrder(1))
  from = mark()
  await track('audit.listIntakeChanges', repos.audit.listIntakeChanges({ actions: ['workOrder.state', 'note.public'], from: now, to: now, limit: 1000 }))
  t.match(
    queries[from]?.sql ?? '',
    /^select top \(@p\d+\) \* from \[trc_audit_log\] where \[action\] in \(@p\d+, @p\d+\) and \[work_order_id\] in \(select \[work_order_id\] from \[trc_intake_requests\]\)/i
  )
  await track('audit.listByAction', repos.audit.listByAction('arera.standardChanged'))
  await track('settings.get', repos.settings.get('k'))
  await track('settings.set', repos.settings.set('k', 1))

  const payload = { from: 'a@b', to: ['c@d'], cc: [], subject: 's', html: '', text: '', messageId: '<m@d>', attachmentIds: [] }
  await track('outbox.enqueue', repos.outbox.enqueue({ messageId: 1, kind: 'reply', payload }, now))
  await track('outbox.findById', repos.outbox.findById(1))
  await track('outbox.listByMessage', repos.outbox.listByMessage(1))
  await track('outbox.countSince', repos.outbox.countSince('c@d', 'confirmation', now))
  from = mark()
  await track('outbox.listDue', repos.outbox.listDue(now, 20))
  t.match(queries[from]?.sql ?? '', /select top \(@p\d+\) \[id\] from \[trc_outbox\]/i)
  from = mark()
  await track('outbox.claim', repos.outbox.claim(1, 'me', 60_000, now))
  t.match(queries[from]?.sql ?? '', /^update \[trc_outbox\] set .* where \[id\] = @p\d+ and/i, 'claim is one conditional UPDATE')
  await track('outbox.markSent', repos.outbox.markSent(1, 'me', '250 OK', now))
  await track('outbox.markRetry', repos.outbox.markRetry(1, 'me', 'x', now, now))
  await track('outbox.markFailed', repos.outbox.markFailed(1, 'me', 'x', now))
  await track('outbox.countByStatus', repos.outbox.countByStatus())
  await track('outbox.retryNow', repos.outbox.retryNow(now))
  await track(
    'quarantine.insert',
    repos.quarantine.insert(
      { mailboxId: 1, uidValidity: '1', imapUid: 1, reason: 'r', messageId: null, size: 1, raw: Buffer.from('x'), rawStorageKey: null },
      now
    )
  )
  await track('quarantine.list', repos.quarantine.list())
  await track('quarantine.readRaw', repos.quarantine.readRaw(1))
  await track('archiveImports.create', repos.archiveImports.create({ mailboxId: 1, since: '2025-01-01', includeInRegister: false, requestedBy: 'op' }, now))
  await track('archiveImports.findById', repos.archiveImports.findById(1))
  from = mark()
  await track('archiveImports.listByMailbox', repos.archiveImports.listByMailbox(1))
  t.match(queries[from]?.sql ?? '', /select top \(@p\d+\) \* from \[trc_archive_imports\]/i)
  await track('archiveImports.listRunning', repos.archiveImports.listRunning())
  await track('archiveImports.update', repos.archiveImports.update(1, { done: 5, lastUid: 9, lastError: 'x', finishedAt: now, status: 'done' }, now))
  await track(
    'spam.insert',
    repos.spam.insert(
      {
        mailboxId: 1,
        uidValidity: '1',
        imapUid: 1,
        dedupeKey: 'k',
        messageId: null,
        from: 'a@b',
        subject: 's',
        reason: 'r',
        raw: Buffer.from('x'),
        receivedAt: now
      },
      now
    )
  )
  await track('spam.existsByDedupeKey', repos.spam.existsByDedupeKey('k'))
  from = mark()
  await track('spam.list', repos.spam.list({ limit: 50, includeReleased: false }))
  t.match(queries[from]?.sql ?? '', /select top \(@p\d+\)/i)
  await track('spam.countOpen', repos.spam.countOpen())
  await track('spam.findById', repos.spam.findById(1))
  await track('spam.readRaw', repos.spam.readRaw(1))
  await track('spam.claimRelease', repos.spam.claimRelease(1, 'op', now))
  await track('spam.recordRelease', repos.spam.recordRelease(1, 2))
  await track('spam.revertRelease', repos.spam.revertRelease(1))
  await track('spam.findBlockRule', repos.spam.findBlockRule('A@Spam.example'))
  await track('spam.addBlockRule', repos.spam.addBlockRule('@spam.example', 'op', now))
  await track('spam.listBlockRules', repos.spam.listBlockRules())
  await track('spam.removeBlockRule', repos.spam.removeBlockRule(1))

  const templateInput = {
    scope: 'shared' as const,
    ownerId: null,
    name: 'n',
    lang: 'it' as const,
    html: '<p>x</p>',
    fields: [],
    reasonedReply: false,
    updatedBy: 'op'
  }
  await track('templates.insert', repos.templates.insert(templateInput, now))
  await track('templates.find', repos.templates.find(1))
  await track('templates.listVisible', repos.templates.listVisible('op', 'it'))
  await track('templates.update', repos.templates.update(1, templateInput, now))
  await track('templates.remove', repos.templates.remove(1))
  await track('templates.findSignatures', repos.templates.findSignatures(['operator:op', 'mailbox:1']))
  await track('templates.setSignature', repos.templates.setSignature('operator:op', '<p>x</p>', 'op', now))
  await track('templates.removeSignature', repos.templates.removeSignature('operator:op'))
  const moved = { messageIds: [1], auditIds: [2], sourceHostStatus: 'APERTO', targetReceivedAt: null, targetDueDate: null, sourceMergedInto: null }
  await track('relations.insertMerge', repos.relations.insertMerge({ sourceWorkOrderId: 1, targetWorkOrderId: 2, moved, actorId: 'op', actorName: 'Op' }, now))
  from = mark()
  await track('relations.findActiveMergeOf', repos.relations.findActiveMergeOf(1))
  t.match(queries[from]?.sql ?? '', /select top \(@p\d+\) \* from \[trc_merges\]/i)
  await track('relations.listActiveMergesInto', repos.relations.listActiveMergesInto(2))
  await track('relations.markMergeUndone', repos.relations.markMergeUndone(1, now))
  await track('relations.insertLink', repos.relations.insertLink(2, 1, 'op', now))
  await track('relations.removeLink', repos.relations.removeLink(1, 2))
  await track('relations.listLinks', repos.relations.listLinks(1))
  await track('host.setWorkOrderHostStatus', repos.host.setWorkOrderHostStatus(1, 'APERTO'))
  await track('messages.moveToWorkOrder', repos.messages.moveToWorkOrder([1, 2], 3))
  await track('audit.moveToWorkOrder', repos.audit.moveToWorkOrder([1, 2], 3))
  await repos.workOrderMeta.update(1, { receivedAt: now, mergedIntoWorkOrderId: 2, duplicateCandidates: [3] }, now)
  from = mark()
  await track('notifications.follow', repos.notifications.follow(1, 'op', 'Op', 'replied', now))
  t.match(
    queries[from]?.sql ?? '',
    /^insert into \[trc_followers\] .* select .* where not exists \(select 1 from \[trc_followers\]/i,
    'follow: no unique-key error'
  )
  await track('notifications.unfollow', repos.notifications.unfollow(1, 'op'))
  await track('notifications.listFollowers', repos.notifications.listFollowers(1))
  from = mark()
  await track('notifications.notifyFollowers', repos.notifications.notifyFollowers(1, 'due_tomorrow', '2026-01-02', now, { except: 'op', once: true }))
  t.match(queries[from]?.sql ?? '', /^insert into \[trc_notifications\] .* select f\.\[operator_id\].* from \[trc_followers\] f where/i)
  await track('notifications.listForOperator', repos.notifications.listForOperator('op', { unreadOnly: true, limit: 20 }))
  await track('notifications.countUnread', repos.notifications.countUnread('op'))
  await track('notifications.markRead', repos.notifications.markRead('op', [1, 2], now))
  await track('notifications.listPendingEmail', repos.notifications.listPendingEmail())
  await track('notifications.lastEmailed', repos.notifications.lastEmailed(['op'], now))
  await track('notifications.markEmailed', repos.notifications.markEmailed([1], now))
  await track('notifications.findSettings', repos.notifications.findSettings('op'))
  await track(
    'notifications.saveSettings',
    repos.notifications.saveSettings({ operatorId: 'op', email: 'op@example.test', locale: 'it', emailNotifications: true }, now)
  )

  // the change feed: one insert per change, read by sequence with TOP, pruned by date
  from = mark()
  await track('changes.append', repos.changes.append(1, 'message', now))
  await track('changes.appendEach', repos.changes.appendEach([1, 2], 'merge', now))
  await track('changes.after', repos.changes.after(5, 500))
  await track('changes.after', repos.changes.after(5, 1000, 9))
  await track('changes.latestSeq', repos.changes.latestSeq())
  await track('changes.oldestSeq', repos.changes.oldestSeq())
  await track('changes.pruneBefore', repos.changes.pruneBefore(now))
  const feed = queries.slice(from).map((q) => q.sql)
  t.match(feed[0] ?? '', /^insert into \[trc_changes\] \(\[created_at\], \[kind\], \[work_order_id\]\) values/)
  t.match(feed[2] ?? '', /^select top \(@p\d\) \[seq\], \[work_order_id\], \[kind\] from \[trc_changes\] where \[seq\] > @p\d order by \[seq\] asc/)
  t.match(feed[3] ?? '', /where \[seq\] > @p\d and \[seq\] <= @p\d order by/)
  t.match(feed[4] ?? '', /max\(\[seq\]\) as \[seq\] from \[trc_changes\]/)
  // the worklist: every queue with every filter, both sorts with a cursor, the counts and the admin lists
  const queueCtx = { today: '2026-01-01', dueSoonUntil: '2026-01-05', dayStart: now, dayEnd: now, genericContributorId: 9 }
  const everyFilter = { mailboxId: 1, channel: 'email', type: 'reclamo_scritto', hostStatuses: ['APERTO'], text: '50%_[x]' }
  for (const queue of ['to_answer', 'due_soon', 'overdue', 'new_today', 'unlinked_senders', 'failed_deliveries'] as const) {
    from = mark()
    await track('worklist.listPage', repos.worklist.listPage(queue, everyFilter, queueCtx, 'due_date', 51, null))
    // new_today reads the day's requests whole (ordered in memory); every other queue pages in SQL
    if (queue === 'new_today') t.match(queries[from]?.sql ?? '', /\[m\]\.\[received_at\] >= @p0 and \[m\]\.\[received_at\] < @p1/)
    else t.match(queries[from]?.sql ?? '', /select top \(@p\d+\)/i, `${queue}: a page is TOP n`)
    await track('worklist.count', repos.worklist.count(queue, everyFilter, queueCtx))
  }
  from = mark()
  await track('worklist.listPage', repos.worklist.listPage('to_answer', {}, queueCtx, 'last_activity', 51, { id: 7, at: now.toISOString() }))
  t.match(queries[from]?.sql ?? '', /order by \[m\]\.\[last_activity_at\] desc, \[m\]\.\[work_order_id\] desc/i)
  await track('worklist.listPage', repos.worklist.listPage('overdue', {}, queueCtx, 'due_date', 51, { id: 7, due: '2026-01-02' }))
  await track('worklist.listPage', repos.worklist.listPage('overdue', {}, queueCtx, 'due_date', 51, { id: 7, due: null }))
  t.ok(
    queries.some((q) => /LOWER\(\[w\]\.\[oggetto\]\) LIKE @p\d+ ESCAPE '!'/.test(q.sql)),
    'text search is a portable LIKE'
  )
  await track('worklist.lastSenders', repos.worklist.lastSenders([1, 2]))
  await track('worklist.listSpam', repos.worklist.listSpam({ mailboxId: 1, text: 'x' }, 51, 3))
  await track('worklist.countSpam', repos.worklist.countSpam({ mailboxId: 1, text: 'x' }))
  await track('worklist.listQuarantine', repos.worklist.listQuarantine({ mailboxId: 1, text: 'x' }, 51, 3))
  await track('worklist.countQuarantine', repos.worklist.countQuarantine({ mailboxId: 1, text: 'x' }))

  await track('search.detectEngine', repos.search.detectEngine())
  from = mark()
  const terms = [
    { text: 'reclami', prefix: false },
    { text: 'mario.rossi@example.test', prefix: false },
    { text: 'citt', prefix: true }
  ]
  const filters = { mailboxId: 1, channel: 'email' as const, type: 'reclamo_scritto', status: 'closed' as const, since: now, before: now }
  // the recording answers a count of 1: offset 0 so the page query runs too
  await track('search.search', repos.search.search('mssql', terms, filters, { limit: 20, offset: 0 }))
  const [count, page] = queries.slice(from)
  t.match(
    count?.sql ?? '',
    /^select top \(@p0\) count\(\*\) as \[n\] from \[trc_search_documents\] as \[d\] inner join \[trc_messages\] as \[m\].* CONTAINS\(d\.content, @p1\)/i
  )
  t.equal(count?.bindings[1], 'FORMSOF(INFLECTIONAL, reclami) AND "mario.rossi@example.test" AND "citt*"', 'Italian inflections, a phrase, a prefix')
  t.match(count?.sql ?? '', /\[m\]\.\[work_order_id\] in \(select \[id_odl\] from \[ordini_lavoro\] where \[stato\] = @p\d+\)/i, 'state through the mapping')
  t.match(page?.sql ?? '', /^select top \(@p0\) \[m\]\.\[id\] as \[message_id\] from .* order by \[m\]\.\[id\] desc$/i, 'the first page: TOP, newest first')
  from = mark()
  await repos.search.search('like', [{ text: '50%_[x]', prefix: false }], {}, { limit: 20, offset: 0 })
  t.match(queries[from]?.sql ?? '', /d\.content LIKE @p1 ESCAPE '!'/)
  t.same(queries[from]?.bindings, [1, '%50!%!_![x]%'], 'the LIKE fallback matches wildcards literally')

  for (const q of queries) checkPortable(t, q)

  // Every repository function must be exercised here, so new queries cannot skip the SQL Server check.
  const all: string[] = []
  for (const [name, repo] of Object.entries(repos)) {
    if (name === 'db' || typeof repo !== 'object' || repo === null) continue
    for (const [fn, value] of Object.entries(repo)) if (typeof value === 'function') all.push(`${name}.${fn}`)
  }
  t.same(
    all.filter((n) => !called.has(n)),
    [],
    'no repository function left unchecked'
  )
})

t.test('dates bind as DATETIME2 on SQL Server', async (t) => {
  const mapped = mssqlDateTime2Binding(new Date())
  t.equal(mapped?.type, TYPES.DateTime2)
  t.equal(mssqlDateTime2Binding('x'), undefined)
})

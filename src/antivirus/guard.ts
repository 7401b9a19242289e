// What an operator may do with an attachment, by its antivirus state: only clean (or never scanned, with no
// scanner configured) files are downloaded, re-attached or sent.
import { HttpError } from '../http-errors.js'
import type { ScanStatus } from '../types.js'

export interface Scanned {
  filename: string
  scan: ScanStatus
  virus: string | null
}

/** The refusal for a file that cannot be served, or null when it can. */
function scanRefusal(a: Scanned): HttpError | null {
  if (a.scan === 'infected') return new HttpError(403, 'attachmentInfected', { filename: a.filename, virus: a.virus ?? '?' })
  if (a.scan === 'pending') return new HttpError(409, 'attachmentBeingScanned', { filename: a.filename })
  if (a.scan === 'error') return new HttpError(409, 'attachmentScanFailed', { filename: a.filename })
  return null
}

export function assertServable(a: Scanned): void {
  const refusal = scanRefusal(a)
  if (refusal) throw refusal
}

/** Re-attaching or forwarding: a file still being scanned may be queued (the outbox holds the mail until it is clean). */
export function assertSendable(a: Scanned): void {
  if (a.scan !== 'pending') assertServable(a)
}

// Shared bits of the intake tests: real image bytes, form tokens from the past, and row counts across every
// table a submission writes (so a refused or failed submission can be shown to have stored nothing).
import { crc32, deflateSync } from 'node:zlib'
import { issueFormToken } from '../../src/intake/form-token.js'
import { TEST_SECRET, type TestHost } from '../helpers/host.js'

/** A valid PNG of the given size (a colour gradient), built from its chunks. */
export function pngBytes(width = 8, height = 8): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body) >>> 0)
    return Buffer.concat([len, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // truecolour
  const rows: Buffer[] = []
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3)
    for (let x = 0; x < width; x++) row.set([(x * 255) / width, (y * 255) / height, 128], 1 + x * 3)
    rows.push(row)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0))
  ])
}

/** A form token issued `secondsAgo` seconds ago: older than any minimum fill time the tests configure. */
export const formToken = (secondsAgo = 30) => issueFormToken(TEST_SECRET, new Date(Date.now() - secondsAgo * 1000))

const TABLES = ['ordini_lavoro', 'trc_work_order_meta', 'trc_messages', 'trc_attachments', 'trc_intake_requests', 'trc_outbox', 'trc_audit_log'] as const

export async function rowCounts(host: TestHost): Promise<Record<(typeof TABLES)[number], number>> {
  const out = {} as Record<(typeof TABLES)[number], number>
  for (const table of TABLES) out[table] = Number((await host.knex(table).count({ n: '*' }).first())?.n)
  return out
}

export const API = '/api/communications'

/** Bytes as a Blob for FormData (copied into a plain ArrayBuffer, which is what Blob's types accept). */
export const blob = (content: Buffer, type: string) => new Blob([new Uint8Array(content)], { type })

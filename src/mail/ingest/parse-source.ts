// Parses the raw source (only the header block when oversize). Unreadable mail goes to quarantine, never lost.
import { parseMail, type ParsedMail } from '../parse.js'
import type { IngestContext, IngestStep } from './context.js'

export const parseSource: IngestStep = {
  name: 'parse',
  async run(ctx) {
    try {
      ctx.parsed = ctx.oversize ? await parseHeaders(ctx) : await parseMail(ctx.incoming.raw.open())
    } catch (err) {
      const reason = ctx.oversize ? `oversize and unparseable headers: ${(err as Error).message}` : `parse: ${(err as Error).message}`
      ctx.disposition = { kind: 'quarantine', reason }
    }
    ctx.content = ctx.parsed
    if (ctx.parsed?.rawHeaders) ctx.meta.rawHeaders = ctx.parsed.rawHeaders
    return ctx
  }
}

async function parseHeaders(ctx: IngestContext): Promise<ParsedMail> {
  const head = await ctx.incoming.raw.readHead(256 * 1024)
  const crlf = head.indexOf('\r\n\r\n')
  const lf = head.indexOf('\n\n')
  const end = crlf >= 0 ? crlf + 4 : lf >= 0 ? lf + 2 : head.length
  const headers = await parseMail(Buffer.concat([head.subarray(0, end), Buffer.from('\r\n')]))
  const { size, limit } = ctx.oversize ?? { size: 0, limit: 0 }
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`
  const note = `Messaggio di ${mb(size)}, oltre il limite di ${mb(limit)}: sono stati registrati solo mittente e oggetto. Il messaggio originale è conservato in quarantena.`
  ctx.meta.oversize = true
  ctx.meta.size = size
  return { ...headers, text: note, html: null, attachments: [] }
}

// Attachment download: always as a download, never sniffed, never rendered as a page of our origin.
import type { FastifyPluginAsync } from 'fastify'
import { parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { download, idParams } from './schemas.js'

// Only these are served with their own type (so <img> shows inline images); anything else is octet-stream.
const SAFE_INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])

/** RFC 6266 filename: an ASCII fallback plus the UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}

const attachmentRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Params: { id: string } }>(
    '/attachments/:id',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Download an attachment (always as a download; only PNG, JPEG, GIF and WebP keep their type)',
        tags: ['messages'],
        params: idParams,
        response: { 200: download('The file; its SHA-256 in X-Attachment-SHA256.', 'application/octet-stream', ...SAFE_INLINE_TYPES) }
      }
    },
    async (request, reply) => {
      const id = parseId(request.params.id)
      const found = await ctx.service.attachments.read(id)
      const type = SAFE_INLINE_TYPES.has(found.meta.contentType.toLowerCase()) ? found.meta.contentType : 'application/octet-stream'
      return reply
        .header('content-type', type)
        .header('content-disposition', contentDisposition(found.meta.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .header('x-attachment-sha256', found.meta.sha256)
        .send(found.content)
    }
  )
}

export default attachmentRoutes

// The Communications tab's browser bundle (ui-extension/, built by `node ui-extension/build.mjs`), served to the
// host's work-order page. Versioned URL (`?v=<content hash>`) → cached for a year; plain URL → revalidated by ETag.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyPluginAsync } from 'fastify'
import { HttpError } from '../http-errors.js'
import { errorResponse } from './openapi.js'
import type { RouteOptions } from './context.js'
import { download, query, str } from './schemas.js'

const UI_BUNDLE_NAME = 'trc-communications.js'

/** The package's `ui-extension/dist` directory, from src/routes (tsx) or dist/src/routes (compiled). */
function findDistDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'ui-extension')
    if (existsSync(path.join(candidate, 'build.mjs')) || existsSync(path.join(candidate, 'dist'))) return path.join(candidate, 'dist')
    dir = path.dirname(dir)
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui-extension/dist')
}

interface Bundle {
  content: Buffer
  hash: string
  etag: string
  mtimeMs: number
  size: number
}

let distDirectory: string | null = null
let cached: Bundle | null = null

/** The built bundle, re-read when the file changes (a rebuild while the host runs); null when it was never built. */
function loadUiBundle(): Bundle | null {
  distDirectory ??= findDistDirectory()
  const file = path.join(distDirectory, UI_BUNDLE_NAME)
  let stat
  try {
    stat = statSync(file)
  } catch {
    cached = null
    return null
  }
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached
  const content = readFileSync(file)
  const hash = createHash('sha256').update(content).digest('base64url').slice(0, 16)
  cached = { content, hash, etag: `"${hash}"`, mtimeMs: stat.mtimeMs, size: stat.size }
  return cached
}

/**
 * The URL a host page loads the tab's script from: `<prefix>/ui/trc-communications.js?v=<hash>` (the hash changes
 * with every build, so browsers may cache it forever). Without a build, the bare URL (which answers 503).
 */
export function uiScriptUrl(prefix = '/api/communications'): string {
  const base = prefix === '/' ? '' : prefix.replace(/\/$/, '')
  const bundle = loadUiBundle()
  return `${base}/ui/${UI_BUNDLE_NAME}${bundle ? `?v=${bundle.hash}` : ''}`
}

const uiRoutes: FastifyPluginAsync<RouteOptions> = async (app) => {
  app.get<{ Querystring: { v?: string } }>(
    `/ui/${UI_BUNDLE_NAME}`,
    {
      config: { permission: 'public' },
      schema: {
        summary: "The Communications tab's script (versioned URL cached for a year; ETag otherwise)",
        tags: ['meta'],
        querystring: query({ v: { ...str, description: "The bundle's content hash (uiScriptUrl())." } }),
        response: {
          200: download('The ES module.', 'text/javascript'),
          304: { description: 'Unchanged (If-None-Match).' },
          503: errorResponse(503, 'The bundle was never built.')
        }
      }
    },
    async (request, reply) => {
      const bundle = loadUiBundle()
      if (!bundle) throw new HttpError(503, 'uiBundleMissing', { file: `ui-extension/dist/${UI_BUNDLE_NAME}` })
      const immutable = request.query.v === bundle.hash
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('etag', bundle.etag)
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate')
        .header('x-content-type-options', 'nosniff')
      const ifNoneMatch = request.headers['if-none-match']
      if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bundle.etag)) {
        return reply.status(304).send()
      }
      return reply.send(bundle.content)
    }
  )
}

export default uiRoutes

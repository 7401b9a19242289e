// A client for ClamAV's daemon over its socket protocol: zPING and zINSTREAM (the file goes in size-prefixed chunks,
// never touching clamd's disk). A verdict is 'clean', 'infected' with the signature name, or 'error' with clamd's
// words (e.g. the stream exceeded StreamMaxLength); a daemon that cannot be reached or does not answer in time is a
// ClamdUnavailableError, which says nothing about the file and is retried later.
import { connect, type Socket } from 'node:net'

export type ClamdAddress = { host: string; port: number } | { path: string }

export type ScanVerdict = { status: 'clean' } | { status: 'infected'; signature: string } | { status: 'error'; message: string }

export class ClamdUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ClamdUnavailableError'
  }
}

/** `tcp://host:port`, `unix:///path/clamd.ctl` or a plain socket path. */
export function parseClamdUrl(url: string): ClamdAddress {
  if (url.startsWith('/')) return { path: url }
  if (url.startsWith('unix://')) {
    const path = url.slice('unix://'.length)
    if (!path.startsWith('/')) throw new Error(`not an absolute socket path: ${url}`)
    return { path }
  }
  const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/.exec(url)
  const port = Number(m?.[2])
  if (!m || port < 1 || port > 65535) throw new Error(`expected tcp://host:port or a socket path, got ${JSON.stringify(url)}`)
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port }
}

export interface ClamdClientSettings {
  /** Connect, send and answer, each (default 30 s). */
  timeoutMs?: number
  /** Bytes per INSTREAM chunk (default 64 KiB). */
  chunkBytes?: number
}

/** clamd's answer to zINSTREAM (NUL-terminated): `stream: OK`, `stream: <Signature> FOUND`, `<reason> ERROR`. */
export function parseVerdict(answer: string): ScanVerdict {
  const line = answer.replace(/\0+$/, '').trim()
  const body = line.replace(/^stream:\s*/, '')
  if (body === 'OK') return { status: 'clean' }
  const found = /^(.+?) FOUND$/.exec(body)
  if (found) return { status: 'infected', signature: (found[1] as string).slice(0, 200) }
  const error = /^(.*?)\s*ERROR$/.exec(body)
  return { status: 'error', message: (error ? error[1] || 'ERROR' : body || 'empty answer').slice(0, 500) }
}

export function createClamdClient(address: ClamdAddress, settings: ClamdClientSettings = {}) {
  const timeoutMs = settings.timeoutMs ?? 30_000
  const chunkBytes = settings.chunkBytes ?? 64 * 1024

  /** Opens a connection, runs `talk`, resolves with everything clamd said up to its NUL (or the close). */
  function exchange(talk: (socket: Socket, answered: () => boolean) => Promise<void>): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = 'path' in address ? connect(address.path) : connect(address.port, address.host)
      const received: Buffer[] = []
      let settled = false
      const finish = (err: Error | null) => {
        if (settled) return
        settled = true
        socket.destroy()
        if (err) reject(err)
        else resolve(Buffer.concat(received).toString('utf8'))
      }
      socket.setTimeout(timeoutMs, () => finish(new ClamdUnavailableError(`clamd did not answer within ${timeoutMs} ms`)))
      let connected = false
      socket.on('error', (err: NodeJS.ErrnoException) => {
        // clamd closes the stream when it passes StreamMaxLength: its answer, or the reset that may overtake it
        if (connected && received.length === 0 && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) {
          received.push(Buffer.from(`clamd closed the stream (${err.code}) ERROR\0`))
        }
        if (received.length > 0) finish(null)
        else finish(new ClamdUnavailableError(`clamd unreachable: ${err.code ?? err.message}`))
      })
      socket.on('data', (data: Buffer) => {
        received.push(data)
        if (data.includes(0)) finish(null)
      })
      socket.on('end', () => finish(received.length > 0 ? null : new ClamdUnavailableError('clamd closed the connection without an answer')))
      socket.on('connect', () => {
        connected = true
        talk(socket, () => received.length > 0).catch((err: Error) => {
          if (received.length === 0) finish(new ClamdUnavailableError(`clamd connection failed: ${err.message}`))
        })
      })
    })
  }

  const write = (socket: Socket, data: Buffer) =>
    new Promise<void>((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(err) : resolve()))
    })

  return {
    /** true when clamd answers PONG. */
    async ping(): Promise<boolean> {
      try {
        return (await exchange((s) => write(s, Buffer.from('zPING\0')))).replace(/\0+$/, '') === 'PONG'
      } catch {
        return false
      }
    },

    /** Streams the bytes to clamd (INSTREAM) and returns its verdict; throws ClamdUnavailableError when it cannot. */
    async scan(content: Buffer | AsyncIterable<Buffer>): Promise<ScanVerdict> {
      const answer = await exchange(async (socket, answered) => {
        await write(socket, Buffer.from('zINSTREAM\0'))
        const sendChunk = async (chunk: Buffer) => {
          for (let i = 0; i < chunk.length && !answered(); i += chunkBytes) {
            const part = chunk.subarray(i, i + chunkBytes)
            const size = Buffer.alloc(4)
            size.writeUInt32BE(part.length)
            await write(socket, Buffer.concat([size, part]))
          }
        }
        if (Buffer.isBuffer(content)) await sendChunk(content)
        else for await (const chunk of content) await sendChunk(chunk)
        if (!answered()) await write(socket, Buffer.alloc(4))
      })
      return parseVerdict(answer)
    }
  }
}

export type ClamdClient = ReturnType<typeof createClamdClient>

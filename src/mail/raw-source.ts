// A raw message that may be large: read it as a stream for parsing, or whole only when it must be kept
// (quarantine). Backed by a Buffer (tests, small mail) or by a spool file (the watcher).
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'

export interface RawSource {
  size: number
  open(): Readable
  readAll(): Promise<Buffer>
  /** The first bytes, enough for the header block. */
  readHead(maxBytes: number): Promise<Buffer>
}

export function rawFromBuffer(buffer: Buffer): RawSource {
  return {
    size: buffer.length,
    open: () => Readable.from([buffer]),
    readAll: async () => buffer,
    readHead: async (maxBytes) => buffer.subarray(0, maxBytes)
  }
}

export function rawFromFile(path: string, size: number): RawSource {
  return {
    size,
    open: () => createReadStream(path, { highWaterMark: 256 * 1024 }),
    readAll: () => readFile(path),
    async readHead(maxBytes) {
      const chunks: Buffer[] = []
      let total = 0
      for await (const chunk of createReadStream(path, { start: 0, end: Math.max(0, maxBytes - 1) })) {
        chunks.push(chunk as Buffer)
        total += (chunk as Buffer).length
      }
      return Buffer.concat(chunks, total)
    }
  }
}

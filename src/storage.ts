// Where attachment bytes live: in the database (default) or in a directory, content-addressed by sha256 so the
// same file attached twice is stored once on disk.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { AttachmentStorageOption } from './options.js'

export interface StoredBytes {
  storage: 'database' | 'directory'
  storageKey: string | null
  /** The bytes to put in the row (database storage) or null (directory storage). */
  content: Buffer | null
}

export interface AttachmentStorage {
  /** Called before the database transaction; directory writes are idempotent, so a rolled-back insert leaves at most an unreferenced file. */
  put(content: Buffer, sha256?: string): Promise<StoredBytes>
  read(storageKey: string): Promise<Buffer>
  /** Deletes a directory file (an infected one, moved to quarantine); nothing for database storage. */
  remove(storageKey: string): Promise<void>
}

/** What an attachment's row says about where its bytes are. */
export interface AttachmentLocation {
  id: number
  storage: 'database' | 'directory'
  storageKey: string | null
}

/**
 * The bytes of a stored attachment: from the directory when its row points there, else from the row itself
 * (`fromDatabase`). With `missingFileAsNull` a file gone from the directory reads as no content instead of an error.
 */
export async function readAttachmentContent(
  location: AttachmentLocation,
  storage: AttachmentStorage,
  fromDatabase: (id: number) => Promise<Buffer | null>,
  options: { missingFileAsNull?: boolean } = {}
): Promise<Buffer | null> {
  if (location.storage !== 'directory' || !location.storageKey) return fromDatabase(location.id)
  const read = storage.read(location.storageKey)
  return options.missingFileAsNull ? read.catch(() => null) : read
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex')
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size
  } catch {
    return null
  }
}

export function createAttachmentStorage(option: AttachmentStorageOption): AttachmentStorage {
  if (option.type === 'database') {
    return {
      async put(content) {
        return { storage: 'database', storageKey: null, content }
      },
      async read() {
        throw new Error('database storage has no files to read')
      },
      async remove() {}
    }
  }
  const root = path.resolve(option.directory)
  const fileFor = (key: string) => {
    if (!/^[a-f0-9]{64}$/.test(key)) throw new Error(`invalid storage key ${key}`)
    return path.join(root, key.slice(0, 2), key.slice(2, 4), key)
  }
  return {
    async put(content, sha256) {
      const key = sha256 && /^[a-f0-9]{64}$/.test(sha256) ? sha256 : sha256Hex(content)
      const file = fileFor(key)
      const stored: StoredBytes = { storage: 'directory', storageKey: key, content: null }
      // Content-addressed: a file already there with the right size is these bytes (same file twice in one
      // mail, the same attachment in two mails, two instances at once).
      if ((await sizeOf(file)) === content.length) return stored
      await mkdir(path.dirname(file), { recursive: true })
      // a temp name of our own, so parallel writers of the same key never share (or remove) each other's file
      const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
      try {
        await writeFile(temp, content, { flag: 'wx' })
        await rename(temp, file) // atomic; replacing an identical file is harmless
      } catch (err) {
        await rm(temp, { force: true })
        if ((await sizeOf(file)) !== content.length) throw err
      }
      return stored
    },
    async read(storageKey) {
      return readFile(fileFor(storageKey))
    },
    async remove(storageKey) {
      await rm(fileFor(storageKey), { force: true })
    }
  }
}

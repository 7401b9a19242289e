// Where attachment bytes live: in the database (default) or in a directory, content-addressed by sha256 so the
// same file attached twice is stored once on disk.
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
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

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex')
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
      await mkdir(path.dirname(file), { recursive: true })
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`
      await writeFile(temp, content)
      await rename(temp, file)
      return { storage: 'directory', storageKey: key, content: null }
    },
    async read(storageKey) {
      return readFile(fileFor(storageKey))
    },
    async remove(storageKey) {
      await rm(fileFor(storageKey), { force: true })
    }
  }
}

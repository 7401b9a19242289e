// Values come back differently per dialect: SQLite gives dates as epoch milliseconds and booleans as 0/1,
// PostgreSQL gives bigint columns as strings, SQL Server gives Date objects. Everything read passes through here.

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value))
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return new Date(Number(value))
    // SQLite may hand back 'YYYY-MM-DD HH:MM:SS' written by CURRENT_TIMESTAMP (UTC)
    const iso = /^\d{4}-\d{2}-\d{2} \d/.test(value) && !/[zZ+]/.test(value.slice(10)) ? value.replace(' ', 'T') + 'Z' : value
    const date = new Date(iso)
    return Number.isNaN(date.getTime()) ? null : date
  }
  return null
}

export function toIso(value: unknown): string | null {
  const date = toDate(value)
  return date ? date.toISOString() : null
}

/** A calendar date column (`date` type) as 'YYYY-MM-DD', whatever the driver returned. */
export function toDateOnly(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const date = toDate(value)
  if (!date) return null
  // pg returns DATE as a local-midnight Date; format in local time to keep the calendar day
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true'
}

export function toId(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : Number(value)
  if (!Number.isSafeInteger(n)) throw new Error(`Not an integer id: ${String(value)}`)
  return n
}

export function toOptionalId(value: unknown): number | null {
  return value === null || value === undefined ? null : toId(value)
}

export function toStr(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return String(value)
}

export function parseJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined || value === '') return fallback
  try {
    return JSON.parse(String(value)) as T
  } catch {
    return fallback
  }
}

/** Row returned by knex: column name to unknown value. */
export type Row = Record<string, unknown>

/** A unique-key violation on any dialect: SQLite, PostgreSQL (23505), SQL Server (2627, 2601). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; number?: unknown; message?: unknown } | null
  if (!e || typeof e !== 'object') return false
  if (e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true
  if (e.number === 2627 || e.number === 2601) return true
  return typeof e.message === 'string' && /UNIQUE constraint failed|duplicate key/i.test(e.message)
}

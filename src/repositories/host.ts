// The host's contributor and work-order tables, reached only through the configured mapping.
import type { Knex } from 'knex'
import type { HostMapping } from '../options.js'
import { WORK_ORDER_STATES, type Contributor, type WorkOrder, type WorkOrderState } from '../types.js'
import { toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export interface NewWorkOrder {
  contributorId: number
  state: WorkOrderState
  /** Module request type; written through `typeValues` when the mapping has a type column. */
  type: string | null
  subject: string
  description: string | null
  createdAt: Date
}

export function createHostRepository(db: Knex | Knex.Transaction, mapping: HostMapping) {
  const c = mapping.contributors
  const w = mapping.workOrders
  const stateByHostValue = new Map<string, WorkOrderState>()
  for (const state of WORK_ORDER_STATES) {
    const hostValue = w.statuses[state]
    if (hostValue !== undefined && !stateByHostValue.has(hostValue)) stateByHostValue.set(hostValue, state)
  }

  const contributorColumns = [
    `${c.id} as id`,
    `${c.displayName} as display_name`,
    ...(c.fiscalCode ? [`${c.fiscalCode} as fiscal_code`] : []),
    ...c.emails.map((e, i) => `${e} as email_${i}`)
  ]
  const toContributor = (row: Row): Contributor => ({
    id: toId(row.id),
    displayName: String(row.display_name ?? ''),
    fiscalCode: toStr(row.fiscal_code),
    emails: c.emails.map((_, i) => toStr(row[`email_${i}`])).filter((e): e is string => !!e && e.trim() !== '')
  })

  const workOrderColumns = [
    `${w.id} as id`,
    `${w.contributorId} as contributor_id`,
    `${w.status} as status`,
    `${w.subject} as subject`,
    `${w.createdAt} as created_at`,
    ...(w.description ? [`${w.description} as description`] : []),
    ...(w.type ? [`${w.type} as type`] : [])
  ]
  const toWorkOrder = (row: Row): WorkOrder => {
    const hostStatus = toStr(row.status)
    return {
      id: toId(row.id),
      contributorId: toOptionalId(row.contributor_id),
      status: hostStatus === null ? null : (stateByHostValue.get(hostStatus) ?? null),
      hostStatus,
      hostType: toStr(row.type),
      subject: toStr(row.subject),
      description: toStr(row.description),
      createdAt: toIso(row.created_at)
    }
  }

  return {
    async findContributor(id: number): Promise<Contributor | null> {
      const row = await db(c.table).first(contributorColumns).where(c.id, id)
      return row ? toContributor(row) : null
    },

    async findContributorsByIds(ids: number[]): Promise<Contributor[]> {
      if (ids.length === 0) return []
      const rows: Row[] = await db(c.table).select(contributorColumns).whereIn(c.id, ids)
      return rows.map(toContributor)
    },

    /** The mapped municipality of each contributor (empty when the mapping has no municipality column). */
    async municipalitiesOf(ids: readonly number[]): Promise<Map<number, string>> {
      const result = new Map<number, string>()
      if (!c.municipality) return result
      const unique = [...new Set(ids)]
      for (let i = 0; i < unique.length; i += 1000) {
        const rows: Row[] = await db(c.table)
          .select(`${c.id} as id`, `${c.municipality} as municipality`)
          .whereIn(c.id, unique.slice(i, i + 1000))
        for (const row of rows) if (row.municipality !== null && row.municipality !== undefined) result.set(toId(row.id), String(row.municipality))
      }
      return result
    },

    /**
     * Contributors active on a day, counted by municipality and host user type (ARERA yearly communication: users
     * at 31 December). Without activeFrom/activeTo columns every row counts; the excluded id is the generic one.
     */
    async countUsersOn(day: string, excludeId: number): Promise<Array<{ municipality: string | null; userType: string | null; count: number }>> {
      const groups = [...(c.municipality ? [c.municipality] : []), ...(c.userType ? [c.userType] : [])]
      const query = db(c.table).whereNot(c.id, excludeId)
      if (c.activeFrom) query.where((q) => q.whereNull(c.activeFrom as string).orWhere(c.activeFrom as string, '<=', day))
      if (c.activeTo) query.where((q) => q.whereNull(c.activeTo as string).orWhere(c.activeTo as string, '>', day))
      query.select([...(c.municipality ? [`${c.municipality} as municipality`] : []), ...(c.userType ? [`${c.userType} as user_type`] : [])]).count({ n: '*' })
      if (groups.length > 0) query.groupBy(groups)
      const rows: Row[] = await query
      return rows.map((r) => ({ municipality: toStr(r.municipality), userType: toStr(r.user_type), count: Number(r.n) }))
    },

    /** Every contributor any of whose email columns equals the address, case-insensitively. */
    async findContributorsByEmail(address: string): Promise<Contributor[]> {
      const wanted = address.trim().toLowerCase()
      if (!wanted) return []
      const rows: Row[] = await db(c.table)
        .select(contributorColumns)
        .where((q) => {
          for (const column of c.emails) q.orWhereRaw('LOWER(??) = ?', [column, wanted])
        })
        .orderBy(c.id)
        .limit(50)
      return rows.map(toContributor)
    },

    async findContributorsByFiscalCode(fiscalCode: string): Promise<Contributor[]> {
      if (!c.fiscalCode) return []
      const rows: Row[] = await db(c.table)
        .select(contributorColumns)
        .whereRaw('UPPER(??) = ?', [c.fiscalCode, fiscalCode.trim().toUpperCase()])
        .orderBy(c.id)
        .limit(50)
      return rows.map(toContributor)
    },

    async findWorkOrder(id: number): Promise<WorkOrder | null> {
      const row = await db(w.table).first(workOrderColumns).where(w.id, id)
      return row ? toWorkOrder(row) : null
    },

    /** Work orders by id (in chunks: SQL Server takes at most 2100 parameters per statement). */
    async findWorkOrdersByIds(ids: readonly number[]): Promise<WorkOrder[]> {
      const unique = [...new Set(ids)]
      const result: WorkOrder[] = []
      for (let i = 0; i < unique.length; i += 1000) {
        const rows: Row[] = await db(w.table)
          .select(workOrderColumns)
          .whereIn(w.id, unique.slice(i, i + 1000))
        result.push(...rows.map(toWorkOrder))
      }
      return result
    },

    async createWorkOrder(input: NewWorkOrder): Promise<number> {
      const row: Record<string, unknown> = {
        ...(w.insertDefaults ?? {}),
        [w.contributorId]: input.contributorId,
        [w.status]: w.statuses[input.state] ?? w.statuses.open,
        [w.subject]: input.subject,
        [w.createdAt]: input.createdAt
      }
      if (w.description) row[w.description] = input.description
      if (w.type && input.type !== null) row[w.type] = w.typeValues?.[input.type] ?? input.type
      // includeTriggerModifications: SQL Server refuses a bare OUTPUT clause on tables with triggers,
      // and ERP tables often have them.
      const [inserted] = await db(w.table).insert(row, [w.id], { includeTriggerModifications: true })
      return toId(typeof inserted === 'object' && inserted !== null ? (inserted as Row)[w.id] : inserted)
    },

    async setWorkOrderState(id: number, state: WorkOrderState): Promise<boolean> {
      const hostValue = w.statuses[state]
      if (hostValue === undefined) throw new Error(`The host mapping has no value for state "${state}"`)
      const count = await db(w.table)
        .where(w.id, id)
        .update({ [w.status]: hostValue })
      return count > 0
    },

    /** Puts back a status exactly as the host spelled it (undoing a merge), mapped or not. */
    async setWorkOrderHostStatus(id: number, hostStatus: string | null): Promise<boolean> {
      return (
        (await db(w.table)
          .where(w.id, id)
          .update({ [w.status]: hostStatus })) > 0
      )
    },

    async setWorkOrderContributor(id: number, contributorId: number): Promise<boolean> {
      const count = await db(w.table)
        .where(w.id, id)
        .update({ [w.contributorId]: contributorId })
      return count > 0
    },

    async setWorkOrderType(id: number, type: string): Promise<void> {
      if (!w.type) return
      await db(w.table)
        .where(w.id, id)
        .update({ [w.type]: w.typeValues?.[type] ?? type })
    },

    /** Whether the mapping can express a state (only `open` and `closed` are mandatory). */
    supportsState(state: WorkOrderState): boolean {
      return w.statuses[state] !== undefined
    }
  }
}

export type HostRepository = ReturnType<typeof createHostRepository>

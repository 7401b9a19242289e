// Canned answers (shared or one operator's own) and signatures (per mailbox, per operator).
import type { Knex } from 'knex'
import type { TemplateField, TemplateLang } from '../domain/templates.js'
import { parseJson, toBool, toId, toIso, toStr, type Row } from './normalize.js'

export type TemplateScope = 'shared' | 'personal'

export interface StoredTemplate {
  id: number
  scope: TemplateScope
  ownerId: string | null
  name: string
  lang: TemplateLang
  html: string
  fields: TemplateField[]
  reasonedReply: boolean
  systemKey: string | null
  updatedBy: string | null
  createdAt: string
  updatedAt: string
}

export type TemplateInput = Pick<StoredTemplate, 'scope' | 'ownerId' | 'name' | 'lang' | 'html' | 'fields' | 'reasonedReply' | 'updatedBy'>

export interface StoredSignature {
  ownerKey: string
  html: string
  updatedBy: string | null
  updatedAt: string
}

const TEMPLATES = 'trc_templates'
const SIGNATURES = 'trc_signatures'

function toTemplate(row: Row): StoredTemplate {
  return {
    id: toId(row.id),
    scope: String(row.scope) as TemplateScope,
    ownerId: toStr(row.owner_id),
    name: String(row.name),
    lang: String(row.lang) as TemplateLang,
    html: String(row.html),
    fields: parseJson<TemplateField[]>(row.fields_json, []),
    reasonedReply: toBool(row.reasoned_reply),
    systemKey: toStr(row.system_key),
    updatedBy: toStr(row.updated_by),
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? ''
  }
}

const columns = (t: TemplateInput) => ({
  scope: t.scope,
  owner_id: t.ownerId,
  name: t.name,
  lang: t.lang,
  html: t.html,
  fields_json: JSON.stringify(t.fields),
  reasoned_reply: t.reasonedReply,
  updated_by: t.updatedBy
})

export function createTemplateRepository(db: Knex | Knex.Transaction) {
  return {
    async insert(template: TemplateInput, now: Date = new Date()): Promise<number> {
      const [row] = await db(TEMPLATES).insert({ ...columns(template), system_key: null, created_at: now, updated_at: now }, ['id'])
      return toId((row as Row).id)
    },

    async find(id: number): Promise<StoredTemplate | null> {
      const row = await db(TEMPLATES).first('*').where('id', id)
      return row ? toTemplate(row) : null
    },

    /** The shared templates and the operator's own, by name. */
    async listVisible(operatorId: string, lang?: TemplateLang): Promise<StoredTemplate[]> {
      const query = db(TEMPLATES)
        .select('*')
        .where((q) => q.where('scope', 'shared').orWhere((p) => p.where('scope', 'personal').andWhere('owner_id', operatorId)))
      if (lang) query.andWhere('lang', lang)
      const rows: Row[] = await query.orderBy([{ column: 'name' }, { column: 'id' }])
      return rows.map(toTemplate)
    },

    async update(id: number, template: TemplateInput, now: Date = new Date()): Promise<boolean> {
      return (
        (await db(TEMPLATES)
          .where('id', id)
          .update({ ...columns(template), updated_at: now })) > 0
      )
    },

    async remove(id: number): Promise<boolean> {
      return (await db(TEMPLATES).where('id', id).del()) > 0
    },

    async findSignatures(ownerKeys: string[]): Promise<StoredSignature[]> {
      if (ownerKeys.length === 0) return []
      const rows: Row[] = await db(SIGNATURES).select('*').whereIn('owner_key', ownerKeys)
      return rows.map((row) => ({
        ownerKey: String(row.owner_key),
        html: String(row.html),
        updatedBy: toStr(row.updated_by),
        updatedAt: toIso(row.updated_at) ?? ''
      }))
    },

    /** Insert-or-update without `onConflict` (SQL Server). */
    async setSignature(ownerKey: string, html: string, updatedBy: string, now: Date = new Date()): Promise<void> {
      const updated = await db(SIGNATURES).where('owner_key', ownerKey).update({ html, updated_by: updatedBy, updated_at: now })
      if (updated === 0) await db(SIGNATURES).insert({ owner_key: ownerKey, html, updated_by: updatedBy, updated_at: now })
    },

    async removeSignature(ownerKey: string): Promise<boolean> {
      return (await db(SIGNATURES).where('owner_key', ownerKey).del()) > 0
    }
  }
}

export type TemplateRepository = ReturnType<typeof createTemplateRepository>

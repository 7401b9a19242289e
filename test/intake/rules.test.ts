// The intake's pure rules: the fill-time token, field validation, file typing by content, option validation.
import t from 'tap'
import { checkFormToken, issueFormToken } from '../../src/intake/form-token.js'
import { createKeyLimiter } from '../../src/intake/key-limiter.js'
import { resolveIntakeOptions } from '../../src/intake/options.js'
import { checkFiles, cleanFilename, sniffType } from '../../src/intake/uploads.js'
import { descriptionBody, validateSubmission } from '../../src/intake/validate.js'
import { pngBytes } from './fixtures.js'

const SECRET = 'rules-secret-rules-secret-rules-secret-0123'

t.test('form token: signed, timed, bound to the secret', async (t) => {
  const issued = new Date('2026-03-02T09:00:00Z')
  const token = issueFormToken(SECRET, issued)
  const at = (s: number) => new Date(issued.getTime() + s * 1000)
  t.match(checkFormToken(SECRET, token, at(10), 3000, 86_400_000), { ok: true })
  t.match(checkFormToken(SECRET, token, at(1), 3000, 86_400_000), { ok: false, reason: 'tooFast' })
  t.match(checkFormToken(SECRET, token, at(86_401), 3000, 86_400_000), { ok: false, reason: 'expired' })
  t.match(checkFormToken('another-secret-another-secret-another', token, at(10), 3000, 86_400_000), { ok: false, reason: 'invalid' })
  t.match(
    checkFormToken(SECRET, token.replace(/\.(\w+)\./, '.zzz.'), at(10), 3000, 86_400_000),
    { ok: false, reason: 'invalid' },
    'a changed time breaks the signature'
  )
  t.match(checkFormToken(SECRET, undefined, at(10), 3000, 86_400_000), { ok: false, reason: 'missing' })
  t.match(checkFormToken(SECRET, 'garbage', at(10), 3000, 86_400_000), { ok: false, reason: 'invalid' })
  t.match(checkFormToken(SECRET, issueFormToken(SECRET, at(3600)), issued, 0, 86_400_000), { ok: false, reason: 'invalid' }, 'a token from the future')
})

t.test('validation: what each channel requires', async (t) => {
  const rules = { locale: 'it' as const, allowedTypes: ['segnalazione_disservizio', 'reclamo_scritto', 'altro'] as const, channel: 'app' as const }
  const app = validateSubmission({ type: 'segnalazione_disservizio', latitude: '45,7', longitude: '9.1' }, { ...rules, allowedTypes: [...rules.allowedTypes] })
  t.same(app.errors, {}, 'the app needs only a service and a place')
  t.equal(app.value?.latitude, 45.7, 'a decimal comma is accepted')
  const complaint = validateSubmission({ type: 'reclamo_scritto', address: 'Via Roma 1' }, { ...rules, allowedTypes: [...rules.allowedTypes] })
  t.same(Object.keys(complaint.errors).sort(), ['fiscalCode', 'service'], 'a complaint from the app needs what its service definition marks required')
  const flagged = validateSubmission(
    { type: 'reclamo_scritto', address: 'Via Roma 1', service: 'raccolta_trasporto', fiscalCode: 'RSSMRA80A01H501U', nonDomestic: 'true' },
    { ...rules, allowedTypes: [...rules.allowedTypes] }
  )
  t.same(flagged.errors, {}, 'conditionally required data is not a refusal from the app')
  t.same(flagged.value?.missing, ['firstName', 'lastName', 'email', 'companyName'], '… it is flagged for the operator')
  const web = validateSubmission(
    { type: 'reclamo_scritto', address: 'Via Roma 1', service: 'raccolta_trasporto', fiscalCode: 'RSSMRA80A01H501U', nonDomestic: 'true' },
    { ...rules, channel: 'web', allowedTypes: [...rules.allowedTypes] }
  )
  t.same(
    Object.keys(web.errors).sort(),
    ['companyName', 'description', 'email', 'firstName', 'lastName', 'privacy', 'subject'],
    'the web form refuses, next to each field'
  )
  const en = validateSubmission({ type: 'reclamo_scritto', fiscalCode: 'RSSMRA80A01H501X' }, { ...rules, locale: 'en', allowedTypes: [...rules.allowedTypes] })
  t.equal(en.errors.fiscalCode, 'Invalid tax code: check its 16 letters and digits')
  const long = validateSubmission({ type: 'altro', address: 'x', description: 'a'.repeat(10_001) }, { ...rules, allowedTypes: [...rules.allowedTypes] })
  t.match(long.errors.description, /al massimo 10000 caratteri \(ora sono 10001\)/)
})

t.test('description: text stays text, markup is cleaned', async (t) => {
  t.same(descriptionBody('Riga 1\nRiga <2> & 3'), { text: 'Riga 1\nRiga <2> & 3', html: '<p>Riga 1<br>\nRiga &lt;2&gt; &amp; 3</p>' })
  const html = descriptionBody('<p onclick="x()">Ciao <script>alert(1)</script><a href="javascript:alert(1)">link</a></p>')
  t.notMatch(html.html, /script|onclick|javascript/)
  t.match(html.text, /Ciao/)
})

t.test('files are typed by their bytes', async (t) => {
  t.equal(sniffType(pngBytes(), 'x.jpg'), 'image/png')
  t.equal(sniffType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'foto'), 'image/jpeg')
  t.equal(sniffType(Buffer.from('%PDF-1.7\n'), 'doc.pdf'), 'application/pdf')
  t.equal(sniffType(Buffer.from('<svg onload="alert(1)"/>'), 'x.svg'), null)
  t.equal(sniffType(Buffer.from('PK\u0003\u0004 not a document'), 'x.zip'), null, 'a zip is not a document')
  t.equal(cleanFilename('C:\\Users\\mario\\foto\u0000.jpg', 0), 'foto.jpg')
  t.equal(cleanFilename('../..', 2), 'allegato-3')
  const checked = checkFiles([{ filename: 'vuoto.pdf', content: Buffer.alloc(0) }], { maxFileBytes: 10, maxFiles: 5, maxTotalBytes: 100 }, 'it')
  t.match(checked.problem, { status: 400, message: 'Il file «vuoto.pdf» è vuoto' })
})

t.test('options: errors name the option', async (t) => {
  t.throws(() => resolveIntakeOptions({ types: ['reclamo', 'altro'] as never }), /option "intake\.types\[0\]" is not a request type: "reclamo"/)
  t.throws(() => resolveIntakeOptions({ types: ['altro', 'altro'] }), /intake\.types\[1\]" lists "altro" twice/)
  t.throws(() => resolveIntakeOptions({ types: [] }), /intake\.types" must list at least one/)
  t.throws(() => resolveIntakeOptions({ apiKeys: ['short'] }), /intake\.apiKeys\[0\]" must be a key of at least 8 characters/)
  t.throws(() => resolveIntakeOptions({ maxFiles: -1 }), /intake\.maxFiles" must be an integer >= 0/)
  t.throws(() => resolveIntakeOptions({ privacyUrl: 'javascript:alert(1)' }), /intake\.privacyUrl"/)
  t.throws(() => resolveIntakeOptions({ frameAncestors: ["'self'; script-src *"] }), /intake\.frameAncestors"/)
  const resolved = resolveIntakeOptions({ types: [{ type: 'altro', label: 'Altro ancora' }], apiKeys: [{ key: 'a-long-key', name: 'App' }] })
  t.same(resolved.types, [{ type: 'altro', label: { it: 'Altro ancora', en: 'Altro ancora' } }])
  t.equal(resolved.apiKeys[0]?.name, 'App')
  t.equal(resolved.apiKeys[0]?.limit, 100, 'per-key limit: 100 per window by default')
  const limits = resolveIntakeOptions({ perKeyLimit: 20, apiKeys: ['a-long-key', { key: 'another-key', limit: 500 }] })
  t.same(
    limits.apiKeys.map((k) => k.limit),
    [20, 500]
  )
  t.throws(() => resolveIntakeOptions({ apiKeys: [{ key: 'a-long-key', limit: 0 }] }), /intake\.apiKeys\[0\]\.limit" must be an integer >= 1/)
  t.throws(() => resolveIntakeOptions({ perKeyLimit: 1.5 }), /intake\.perKeyLimit" must be an integer >= 1/)
})

t.test('key limiter: a fixed window per key, refused uses not counted', async (t) => {
  let now = 0
  const limiter = createKeyLimiter(60_000, () => now)
  t.same(limiter.hit('a', 2), { allowed: true, limit: 2, remaining: 1, resetMs: 60_000 })
  t.same(limiter.hit('a', 2), { allowed: true, limit: 2, remaining: 0, resetMs: 60_000 })
  now = 30_000
  t.same(limiter.hit('a', 2), { allowed: false, limit: 2, remaining: 0, resetMs: 30_000 })
  t.match(limiter.hit('b', 2), { allowed: true, remaining: 1 }, 'another key has its own bucket')
  now = 60_000
  t.match(limiter.hit('a', 2), { allowed: true, remaining: 1, resetMs: 60_000 }, 'a new window')
})

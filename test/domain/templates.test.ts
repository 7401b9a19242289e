// Template logic without I/O: parsing, validation at save time, rendering with escaping, the send guard.
import t from 'tap'
import { attachmentList, findUnresolved, placeholdersOf, renderTemplate, validateTemplate } from '../../src/domain/templates.js'

const fields = [
  { name: 'esito', label: 'Esito', required: true },
  { name: 'note', label: 'Note', required: false }
]

t.test('placeholders are found once each, spaces inside the braces allowed', async (t) => {
  t.same(placeholdersOf('<p>{{riferimento}} {{ contribuente.nome }} {{riferimento}}</p>'), ['riferimento', 'contribuente.nome'])
})

t.test('validation: known placeholders and declared fields pass', async (t) => {
  t.same(validateTemplate({ html: '<p>Gentile {{contribuente.nome}}, rif. {{riferimento}}: {{campo.esito}} {{campo.note}}</p>', fields }), [])
})

t.test('validation: unknown placeholders, undeclared fields, unclosed braces, unused and bad fields', async (t) => {
  t.same(validateTemplate({ html: '<p>{{contribuente.cognome}} {{campo.esito}} {{campo.altro}}</p>', fields: [fields[0] as never] }), [
    { kind: 'unknown', name: 'contribuente.cognome' },
    { kind: 'unknown', name: 'campo.altro' }
  ])
  t.same(validateTemplate({ html: '<p>{{riferimento</p>' }), [{ kind: 'syntax', detail: 'parentesi graffe doppie non chiuse ("{{" senza "}}" o viceversa)' }])
  t.same(validateTemplate({ html: '<p>ciao</p>', fields: [{ name: 'Esito!', label: ' ', required: true }] }), [
    { kind: 'field', detail: 'nome di campo non valido "Esito!" (lettere e cifre, inizia con una minuscola)' },
    { kind: 'field', detail: 'il campo "Esito!" non ha un\'etichetta' }
  ])
  t.same(validateTemplate({ html: '<p>ciao</p>', fields: [fields[0] as never] }), [
    { kind: 'field', detail: 'il campo "esito" non compare nel testo ({{campo.esito}})' }
  ])
})

t.test('validation: a signature allows only its own placeholders and no fields', async (t) => {
  t.same(validateTemplate({ html: '{{operatore.nome}} {{scadenza}} {{campo.x}}', allowed: ['operatore.nome'], allowFields: false }), [
    { kind: 'unknown', name: 'scadenza' },
    { kind: 'unknown', name: 'campo.x' }
  ])
})

t.test('rendering escapes values and field text, keeps line breaks, reports what is missing', async (t) => {
  const out = renderTemplate(
    '<p>Gentile {{contribuente.nome}}, {{campo.esito}} {{campo.note}} {{scadenza}}</p>',
    { 'contribuente.nome': 'Rossi & <Figli>', scadenza: null },
    fields,
    { note: 'riga 1\n<b>riga 2</b>' }
  )
  t.equal(out.html, '<p>Gentile Rossi &amp; &lt;Figli&gt;, {{campo.esito}} riga 1<br>&lt;b&gt;riga 2&lt;/b&gt; </p>')
  t.same(out.missing, [fields[0]])
  t.same(out.unavailable, ['scadenza'])
  const filled = renderTemplate('{{campo.esito}}', {}, fields, { esito: ' fondata ' })
  t.equal(filled.html, 'fondata')
  t.same(filled.missing, [])
})

t.test('HTML values are trusted module output; an attachment list escapes names', async (t) => {
  t.equal(renderTemplate('{{allegati}}', { allegati: attachmentList(['a<b>.pdf', 'c.jpg'], 'it') }).html, '<ul><li>a&lt;b&gt;.pdf</li><li>c.jpg</li></ul>')
  t.equal(attachmentList([], 'en').html, '<p>No documents attached.</p>')
  t.equal(attachmentList([], 'it').html, '<p>Nessun documento allegato.</p>')
})

t.test('the send guard finds every {{…}} left, and a dangling {{', async (t) => {
  t.same(findUnresolved('<p>ok</p>'), [])
  t.same(findUnresolved('<p>{{campo.esito}} e {{ riferimento }}</p>'), ['{{campo.esito}}', '{{riferimento}}'])
  t.same(findUnresolved('<p>testo {{ non chiuso</p>'), ['{{'])
})

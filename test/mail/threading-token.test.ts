// Signed Message-IDs for threading replies back to their work order, and the "[OdL #123]" subject reference.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { hmacKey } from '../../src/crypto.js'
import {
  createOutboundMessageId,
  findWorkOrderToken,
  parseSubjectReference,
  replySubject,
  subjectReference,
  verifyMessageIdToken
} from '../../src/mail/threading-token.js'

const SECRET = 'test-secret-test-secret-test-secret-0123456789'
const OTHER_SECRET = 'another-secret-another-secret-another-secret'
const FORMAT = /^<trc\.(\d+)\.(\d+)\.([0-9a-z]{8})\.([a-z2-7]{16})@([a-z0-9.-]+)>$/

const make = (workOrderId = 123, messageId = 4567, domain = 'comune.example.it') => createOutboundMessageId({ workOrderId, messageId, domain, secret: SECRET })

/** Replace one dot-separated field of the local part. */
function withField(id: string, index: number, value: string): string {
  const bare = id.slice(1, -1)
  const at = bare.lastIndexOf('@')
  const fields = bare.slice(0, at).split('.')
  fields[index] = value
  return `<${fields.join('.')}${bare.slice(at)}>`
}

t.test('format', async (t) => {
  const id = make()
  const m = FORMAT.exec(id)
  t.ok(m, id)
  t.equal(m?.[1], '123')
  t.equal(m?.[2], '4567')
  t.equal(m?.[5], 'comune.example.it')
  t.ok(id.length < 80, 'short enough for any header')
  t.equal(
    createOutboundMessageId({ workOrderId: 1, messageId: 2, domain: ' Mail.Comune.Example.IT ', secret: SECRET }).split('@')[1],
    'mail.comune.example.it>'
  )
  // an internationalised domain goes out as punycode, and the id still verifies
  const idn = createOutboundMessageId({ workOrderId: 1, messageId: 2, domain: 'comune.città.it', secret: SECRET })
  t.equal(idn.split('@')[1], 'comune.xn--citt-3na.it>')
  t.same(verifyMessageIdToken(idn, SECRET), { workOrderId: 1, messageId: 2 })
})

t.test('the signature is HMAC-SHA256 with the threading key, base32, over the other local-part fields', async (t) => {
  const id = make(9, 10)
  const m = FORMAT.exec(id)
  if (!m) throw new Error('format')
  const mac = createHmac('sha256', hmacKey(SECRET, 'threading-token')).update(`trc.9.10.${m[3]}`).digest()
  // first 10 bytes of the MAC in RFC 4648 base32, lower case
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  let bits = ''
  for (const byte of mac.subarray(0, 10)) bits += byte.toString(2).padStart(8, '0')
  const expected = (bits.match(/.{5}/g) ?? []).map((b) => alphabet[parseInt(b, 2)]).join('')
  t.equal(m[4], expected)
  // and it does not use the raw secret as the key
  const raw = createHmac('sha256', SECRET).update(`trc.9.10.${m[3]}`).digest()
  let rawBits = ''
  for (const byte of raw.subarray(0, 10)) rawBits += byte.toString(2).padStart(8, '0')
  t.not(m[4], (rawBits.match(/.{5}/g) ?? []).map((b) => alphabet[parseInt(b, 2)]).join(''))
})

t.test('every id is different (random part)', async (t) => {
  const ids = new Set(Array.from({ length: 200 }, () => make(1, 1)))
  t.equal(ids.size, 200)
  const randoms = new Set([...ids].map((id) => FORMAT.exec(id)?.[3]))
  t.equal(randoms.size, 200)
})

t.test('round trip', async (t) => {
  for (const [wo, msg] of [
    [1, 1],
    [123, 4567],
    [Number.MAX_SAFE_INTEGER, 98765432101]
  ] as const) {
    t.same(verifyMessageIdToken(make(wo, msg), SECRET), { workOrderId: wo, messageId: msg })
  }
})

t.test('tolerant of angle brackets, whitespace and letter case', async (t) => {
  const id = make()
  const bare = id.slice(1, -1)
  const expected = { workOrderId: 123, messageId: 4567 }
  t.same(verifyMessageIdToken(bare, SECRET), expected, 'no brackets')
  t.same(verifyMessageIdToken(`  ${id}\r\n`, SECRET), expected, 'whitespace')
  t.same(verifyMessageIdToken(id.replace('comune.example.it', 'COMUNE.Example.IT'), SECRET), expected, 'domain case')
  t.same(verifyMessageIdToken(id.toUpperCase(), SECRET), expected, 'whole id upper-cased by a gateway')
  // only the local part is signed: a changed domain still verifies (the secret is what binds it to us)
  t.same(verifyMessageIdToken(id.replace('comune.example.it', 'mail.other.example'), SECRET), expected)
})

t.test('tampered fields are rejected', async (t) => {
  const id = make(123, 4567)
  t.ok(verifyMessageIdToken(id, SECRET))
  t.equal(verifyMessageIdToken(withField(id, 1, '124'), SECRET), null, 'work order id')
  t.equal(verifyMessageIdToken(withField(id, 1, '0123'), SECRET), null, 'work order id with a leading zero')
  t.equal(verifyMessageIdToken(withField(id, 2, '4568'), SECRET), null, 'message id')
  t.equal(verifyMessageIdToken(withField(id, 3, 'aaaaaaaa'), SECRET), null, 'random part')
  t.equal(verifyMessageIdToken(withField(id, 0, 'xyz'), SECRET), null, 'prefix')
  t.equal(verifyMessageIdToken(withField(id, 0, 'xtrc'), SECRET), null, 'prefix with something in front')
  t.equal(verifyMessageIdToken(id.replace('@', 'x@'), SECRET), null, 'something after the signature')
  const sig = FORMAT.exec(id)?.[4] ?? ''
  const flipped = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1)
  t.equal(verifyMessageIdToken(withField(id, 4, flipped), SECRET), null, 'signature, first character')
  t.equal(verifyMessageIdToken(withField(id, 4, sig.slice(0, 15) + (sig[15] === 'a' ? 'b' : 'a')), SECRET), null, 'signature, last character')
  t.equal(verifyMessageIdToken(withField(id, 4, sig.slice(0, 15)), SECRET), null, 'truncated signature')
  t.equal(verifyMessageIdToken(withField(id, 4, sig + 'a'), SECRET), null, 'longer signature')
  // swapping the two ids of a valid token
  const swapped = withField(withField(id, 1, '4567'), 2, '123')
  t.equal(verifyMessageIdToken(swapped, SECRET), null, 'swapped ids')
})

t.test('wrong secret', async (t) => {
  t.equal(verifyMessageIdToken(make(), OTHER_SECRET), null)
  const other = createOutboundMessageId({ workOrderId: 123, messageId: 4567, domain: 'comune.example.it', secret: OTHER_SECRET })
  t.equal(verifyMessageIdToken(other, SECRET), null)
})

t.test('foreign and malformed Message-IDs', async (t) => {
  for (const foreign of [
    '<CAF=3Dx8kLq2Z@mail.gmail.com>',
    '<AM0PR07MB4417B6F1E4D7D2D6B0C6E9A0C1E90@AM0PR07MB4417.eurprd07.prod.outlook.com>',
    '<trc.123.4567@comune.example.it>',
    '<trc.123.4567.abcdefgh@comune.example.it>',
    '<trc.123.4567.abcdefgh.abcdefghijklmnop>',
    '<trc.123.4567.abcdefgh.abcdefghijklmnop@comune.example.it>',
    '<trc.-1.4567.abcdefgh.abcdefghijklmnop@x.it>',
    '<trc.1.2.abc.abcdefghijklmnop@x.it>',
    '<trc.99999999999999999.1.abcdefgh.abcdefghijklmnop@x.it>',
    '<>',
    '',
    '@',
    'not an id',
    'x'.repeat(5000)
  ]) {
    t.equal(verifyMessageIdToken(foreign, SECRET), null, foreign.slice(0, 60))
  }
})

t.test('createOutboundMessageId refuses bad input', async (t) => {
  const base = { workOrderId: 1, messageId: 1, domain: 'x.it', secret: SECRET }
  t.throws(() => createOutboundMessageId({ ...base, workOrderId: 0 }))
  t.throws(() => createOutboundMessageId({ ...base, workOrderId: 1.5 }))
  t.throws(() => createOutboundMessageId({ ...base, messageId: -3 }))
  t.throws(() => createOutboundMessageId({ ...base, messageId: Number.NaN }))
  t.throws(() => createOutboundMessageId({ ...base, domain: '' }))
  t.throws(() => createOutboundMessageId({ ...base, domain: 'x.it>\r\nBcc: a@b.it' }))
  t.throws(() => createOutboundMessageId({ ...base, domain: 'a@b.it' }))
  t.throws(() => createOutboundMessageId({ ...base, domain: 'a b.it' }))
  t.throws(() => createOutboundMessageId({ ...base, domain: '-x.it' }))
  t.throws(() => createOutboundMessageId({ ...base, secret: '' }))
})

t.test('findWorkOrderToken takes the first valid token in the order given', async (t) => {
  const ours1 = make(1, 10)
  const ours2 = make(2, 20)
  const foreign = '<CAF123@mail.gmail.com>'
  const forged = withField(make(3, 30), 1, '4')
  // the caller passes In-Reply-To first, then References newest first
  t.same(findWorkOrderToken([ours2, foreign, ours1], SECRET), { workOrderId: 2, messageId: 20 })
  t.same(findWorkOrderToken([foreign, forged, ours1, ours2], SECRET), { workOrderId: 1, messageId: 10 })
  t.equal(findWorkOrderToken([foreign, forged], SECRET), null)
  t.equal(findWorkOrderToken([], SECRET), null)
  t.equal(findWorkOrderToken([ours1], OTHER_SECRET), null)
  // entries may be bare ids or whole header values with several ids
  t.same(findWorkOrderToken([ours1.slice(1, -1)], SECRET), { workOrderId: 1, messageId: 10 })
  t.same(findWorkOrderToken([`${foreign}\r\n ${ours2} ${ours1}`], SECRET), { workOrderId: 2, messageId: 20 })
  t.same(findWorkOrderToken([`${foreign.slice(1, -1)} ${ours1.slice(1, -1)}`], SECRET), { workOrderId: 1, messageId: 10 })
})

t.test('subject references', async (t) => {
  t.equal(subjectReference(123), '[OdL #123]')
  t.throws(() => subjectReference(0))
  t.throws(() => subjectReference(2.5))
  for (const [subject, expected] of [
    ['Re: Cassonetto rotto [OdL #123]', 123],
    ['[ODL#123] Cassonetto', 123],
    ['[odl 123]', 123],
    ['[OdL123]', 123],
    ['[ OdL # 45 ] x', 45],
    ['R: [OdL #7] e [OdL #8]', 7],
    ['Cassonetto rotto', null],
    ['OdL #123', null],
    ['OdL n. 123', null],
    ['(OdL #123)', null],
    ['[OdL #]', null],
    ['[OdL #abc]', null],
    ['[OdL #0]', null],
    ['[OdL #-5]', null],
    ['[Odl #99999999999999999999]', null],
    ['', null]
  ] as const) {
    t.equal(parseSubjectReference(subject), expected, subject)
  }
  t.equal(parseSubjectReference(null), null)
  t.equal(parseSubjectReference(undefined), null)
})

t.test('replySubject', async (t) => {
  for (const [original, expected] of [
    ['Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['Re: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['RE: Re: re:Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['R: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['I: R: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['Fwd: FW: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['Re[2]: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['RIF: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['AW: WG: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['Re : Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['Re: Cassonetto rotto [OdL #123]', 'Re: Cassonetto rotto [OdL #123]'],
    ['Re: [ODL#123] Re: Cassonetto rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['R: Cassonetto [OdL #99] rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['Cassonetto\r\n rotto', 'Re: Cassonetto rotto [OdL #123]'],
    ['  ', 'Re: [OdL #123]'],
    ['Re:', 'Re: [OdL #123]'],
    ['Ritiro ingombranti', 'Re: Ritiro ingombranti [OdL #123]'],
    ['Invio modulo: TARI 2025', 'Re: Invio modulo: TARI 2025 [OdL #123]'],
    ['Info: orari', 'Re: Info: orari [OdL #123]']
  ] as const) {
    t.equal(replySubject(original, 123), expected, original)
  }
  t.equal(replySubject(null, 5), 'Re: [OdL #5]')
  t.equal(replySubject(replySubject(replySubject('x', 5), 5), 5), 'Re: x [OdL #5]', 'stable over a long exchange')
  t.equal(parseSubjectReference(replySubject('R: x', 77)), 77)
})

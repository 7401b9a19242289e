// Authentication-Results (RFC 8601): the parser against the RFC's own examples (appendix B) and headers as Gmail,
// Microsoft 365 and rspamd write them, and the verdict on the From address with only trusted headers believed.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { organizationalDomain, relaxedAligned } from '../../src/domain/organizational-domain.js'
import { authenticateSender, parseAuthenticationResults as parse } from '../../src/mail/authentication-results.js'
import { parseMail } from '../../src/mail/parse.js'

const GMAIL =
  'mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab12Cd3e;\r\n       arc=pass (i=1 spf=pass spfdomain=evil.test dkim=pass dkdomain=evil.test dmarc=pass fromdomain=example.com);\r\n       spf=pass (google.com: domain of mario@example.com designates 203.0.113.5 as permitted sender) smtp.mailfrom=mario@example.com;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com'
const MICROSOFT =
  'spf=pass (sender IP is 40.107.1.2) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100'
const RSPAMD =
  'mx.comune.example.it;\r\n\tdkim=pass header.d=example.co.uk header.s=dkim header.b=Xy12;\r\n\tspf=pass (mx.comune.example.it: domain of mario@mail.example.co.uk designates 198.51.100.7 as permitted sender) smtp.mailfrom=mario@mail.example.co.uk;\r\n\tdmarc=pass (policy=reject) header.from=example.co.uk'

t.test('RFC 8601 appendix B examples', async (t) => {
  // B.2: nothing was checked
  t.strictSame(parse('example.org 1; none'), { authservId: 'example.org', version: 1, results: [] })
  // B.3: SPF
  t.strictSame(parse('example.com; spf=pass smtp.mailfrom=example.net'), {
    authservId: 'example.com',
    version: null,
    results: [{ method: 'spf', version: null, result: 'pass', reason: null, props: { 'smtp.mailfrom': 'example.net' } }]
  })
  // B.4: SMTP AUTH and SPF, then iprev in a second header
  t.strictSame(parse('example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n          spf=pass smtp.mailfrom=example.net')?.results, [
    { method: 'auth', version: null, result: 'pass', reason: null, props: { 'smtp.auth': 'sender@example.net' } },
    { method: 'spf', version: null, result: 'pass', reason: null, props: { 'smtp.mailfrom': 'example.net' } }
  ])
  t.strictSame(parse('example.com; iprev=pass\r\n          policy.iprev=192.0.2.200')?.results, [
    { method: 'iprev', version: null, result: 'pass', reason: null, props: { 'policy.iprev': '192.0.2.200' } }
  ])
  // B.5: two DKIM signatures, one good, one bad
  t.strictSame(
    parse(
      'example.com;\r\n          dkim=pass (good signature) header.d=mail-router.example.net;\r\n          dkim=fail (bad signature) header.d=newyork.example.com'
    )?.results,
    [
      { method: 'dkim', version: null, result: 'pass', reason: null, props: { 'header.d': 'mail-router.example.net' } },
      { method: 'dkim', version: null, result: 'fail', reason: null, props: { 'header.d': 'newyork.example.com' } }
    ]
  )
  // B.6: several MTAs, reasons as quoted strings
  t.strictSame(
    parse(
      'example.com;\r\n          dkim=pass reason="good signature"\r\n            header.i=@mail-router.example.net;\r\n          dkim=fail reason="bad signature"\r\n            header.i=@newyork.example.com'
    ),
    {
      authservId: 'example.com',
      version: null,
      results: [
        { method: 'dkim', version: null, result: 'pass', reason: 'good signature', props: { 'header.i': '@mail-router.example.net' } },
        { method: 'dkim', version: null, result: 'fail', reason: 'bad signature', props: { 'header.i': '@newyork.example.com' } }
      ]
    }
  )
  t.strictSame(parse('example.net;\r\n          dkim=pass (good signature) header.i=@newyork.example.com')?.results, [
    { method: 'dkim', version: null, result: 'pass', reason: null, props: { 'header.i': '@newyork.example.com' } }
  ])
  // B.7: comments everywhere, a method version, whitespace around "/" "." "="
  t.strictSame(
    parse(
      "foo.example.net (foobar) 1 (baz);\r\n    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n      policy (A dot can go here) . (like that) expired\r\n      (this surprised me) = (as I wasn't expecting it) 1362471462"
    ),
    {
      authservId: 'foo.example.net',
      version: 1,
      results: [{ method: 'dkim', version: 1, result: 'fail', reason: null, props: { 'policy.expired': '1362471462' } }]
    }
  )
})

t.test('provider headers: Gmail, Microsoft 365 (no authserv-id, stray clauses), rspamd', async (t) => {
  // the comment of arc= holds "dmarc=pass": words in comments are not results
  t.strictSame(parse(GMAIL), {
    authservId: 'mx.google.com',
    version: null,
    results: [
      { method: 'dkim', version: null, result: 'pass', reason: null, props: { 'header.i': '@example.com', 'header.s': '20230601', 'header.b': 'Ab12Cd3e' } },
      { method: 'arc', version: null, result: 'pass', reason: null, props: {} },
      { method: 'spf', version: null, result: 'pass', reason: null, props: { 'smtp.mailfrom': 'mario@example.com' } },
      { method: 'dmarc', version: null, result: 'pass', reason: null, props: { 'header.from': 'example.com' } }
    ]
  })
  t.strictSame(parse(MICROSOFT), {
    authservId: null,
    version: null,
    results: [
      { method: 'spf', version: null, result: 'pass', reason: null, props: { 'smtp.mailfrom': 'contoso.com' } },
      { method: 'dkim', version: null, result: 'pass', reason: null, props: { 'header.d': 'contoso.com' } },
      { method: 'dmarc', version: null, result: 'pass', reason: null, props: { action: 'none', 'header.from': 'contoso.com' } },
      { method: 'compauth', version: null, result: 'pass', reason: '100', props: {} }
    ]
  })
  // Office 365 as MimeKit issue #490 quotes it: the receiving domain as a clause of its own after each result
  t.strictSame(
    parse(
      'spf=fail (sender IP is 1.1.1.1) smtp.mailfrom=eu-west-1.amazonses.com; recevingdomain.com; dkim=pass (signature was verified) header.d=domain.com;domain1.com; dmarc=bestguesspass action=none header.from=domain.com;'
    )?.results,
    [
      { method: 'spf', version: null, result: 'fail', reason: null, props: { 'smtp.mailfrom': 'eu-west-1.amazonses.com' } },
      { method: 'dkim', version: null, result: 'pass', reason: null, props: { 'header.d': 'domain.com' } },
      { method: 'dmarc', version: null, result: 'bestguesspass', reason: null, props: { action: 'none', 'header.from': 'domain.com' } }
    ]
  )
  t.strictSame(
    parse(RSPAMD)?.results.map((r) => [r.method, r.result, r.props]),
    [
      ['dkim', 'pass', { 'header.d': 'example.co.uk', 'header.s': 'dkim', 'header.b': 'Xy12' }],
      ['spf', 'pass', { 'smtp.mailfrom': 'mario@mail.example.co.uk' }],
      ['dmarc', 'pass', { 'header.from': 'example.co.uk' }]
    ]
  )
  t.equal(parse(''), null)
  t.equal(parse('  (only a comment)  '), null)
})

t.test('the verdict on the From address', async (t) => {
  t.strictSame(authenticateSender([GMAIL], 'Mario@Example.com', null), {
    authenticated: true,
    method: 'dmarc',
    authservId: 'mx.google.com',
    detail: 'dmarc=pass header.from=example.com'
  })
  t.strictSame(authenticateSender([MICROSOFT], 'info@contoso.com', null), {
    authenticated: true,
    method: 'dmarc',
    authservId: null,
    detail: 'dmarc=pass header.from=contoso.com'
  })
  // DMARC passed for another domain: it says nothing about this From
  t.strictSame(authenticateSender(['mx.test; dmarc=pass header.from=evil.test'], 'mario@example.com', null), {
    authenticated: false,
    method: null,
    authservId: 'mx.test',
    detail: 'dmarc=pass header.from=evil.test'
  })
  // SPF and DKIM count when aligned with the From domain (relaxed: the same organizational domain)
  t.strictSame(authenticateSender(['mx.test; spf=pass smtp.mailfrom=bounce@news.example.com'], 'mario@example.com', null), {
    authenticated: true,
    method: 'spf',
    authservId: 'mx.test',
    detail: 'spf=pass smtp.mailfrom=bounce@news.example.com'
  })
  t.strictSame(authenticateSender(['mx.test; spf=fail smtp.mailfrom=example.com; dkim=pass header.i=@mail.example.com'], 'mario@example.com', null), {
    authenticated: true,
    method: 'dkim',
    authservId: 'mx.test',
    detail: 'dkim=pass header.i=@mail.example.com'
  })
  t.strictSame(authenticateSender(['mx.test; spf=pass smtp.mailfrom=evil.test; dkim=pass header.d=evil.test'], 'mario@example.com', null), {
    authenticated: false,
    method: null,
    authservId: 'mx.test',
    detail: 'spf=pass smtp.mailfrom=evil.test; dkim=pass header.d=evil.test'
  })
  t.strictSame(
    authenticateSender(['mx.test; spf=softfail smtp.mailfrom=example.com; dkim=none; dmarc=fail header.from=example.com'], 'mario@example.com', null),
    {
      authenticated: false,
      method: null,
      authservId: 'mx.test',
      detail: 'spf=softfail smtp.mailfrom=example.com; dkim=none; dmarc=fail header.from=example.com'
    }
  )
  // rspamd under a two-level public suffix: example.co.uk, not co.uk, is the organization
  t.strictSame(authenticateSender([RSPAMD.replace('dmarc=pass', 'dmarc=fail')], 'mario@example.co.uk', null), {
    authenticated: true,
    method: 'spf',
    authservId: 'mx.comune.example.it',
    detail: 'spf=pass smtp.mailfrom=mario@mail.example.co.uk'
  })
  t.strictSame(authenticateSender(['mx.test; spf=pass smtp.mailfrom=other.co.uk'], 'mario@example.co.uk', null).authenticated, false)
  t.strictSame(authenticateSender(['mx.test; compauth=pass reason=100'], 'mario@example.com', null), {
    authenticated: true,
    method: 'compauth',
    authservId: 'mx.test',
    detail: 'compauth=pass reason=100'
  })
  t.strictSame(authenticateSender([], 'mario@example.com', null), { authenticated: false, method: null, authservId: null, detail: 'no Authentication-Results' })
  t.strictSame(authenticateSender(['mx.test; dmarc=pass header.from=example.com'], null, null), {
    authenticated: false,
    method: null,
    authservId: 'mx.test',
    detail: 'no From address; dmarc=pass header.from=example.com'
  })
})

t.test('only the receiving server is believed', async (t) => {
  const forged = 'mx.test; dmarc=pass header.from=example.com'
  const ours = 'mx.comune.example.it; spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com'
  // not configured: the topmost header only, the one added last (the sender's own are below it)
  t.strictSame(authenticateSender([ours, forged], 'mario@example.com', null), {
    authenticated: false,
    method: null,
    authservId: 'mx.comune.example.it',
    detail: 'spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com'
  })
  t.strictSame(authenticateSender([forged, ours], 'mario@example.com', null).authenticated, true)
  // configured: only that authserv-id, wherever it is (case-insensitive), every header it wrote
  t.strictSame(authenticateSender([forged, ours], 'mario@example.com', 'MX.Comune.Example.IT'), {
    authenticated: false,
    method: null,
    authservId: 'mx.comune.example.it',
    detail: 'spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com'
  })
  t.strictSame(authenticateSender([forged], 'mario@example.com', 'mx.comune.example.it'), {
    authenticated: false,
    method: null,
    authservId: null,
    detail: 'no Authentication-Results from mx.comune.example.it'
  })
  t.strictSame(
    authenticateSender(
      [forged, 'mx.comune.example.it; spf=none', 'mx.comune.example.it; dkim=pass header.d=example.com'],
      'mario@example.com',
      'mx.comune.example.it'
    ),
    {
      authenticated: true,
      method: 'dkim',
      authservId: 'mx.comune.example.it',
      detail: 'dkim=pass header.d=example.com'
    }
  )
})

t.test('a real forwarded mail (corpus): DKIM passes for the forwarder, DMARC fails for the From domain', async (t) => {
  const mail = await parseMail(await readFile(path.resolve(import.meta.dirname, '../../../shared/corpus/mailparser/nodemailer.eml')))
  const values = [mail.headers.get('authentication-results')].flat().filter((v): v is string => typeof v === 'string')
  t.equal(values.length, 1)
  t.strictSame(authenticateSender(values, mail.from?.address ?? null, 'mx.google.com'), {
    authenticated: false,
    method: null,
    authservId: 'mx.google.com',
    detail: 'dkim=pass header.i=@srs1.zonevs.eu; spf=pass smtp.mailfrom=SRS0=63fc=V7=kreata.ee=andris@srs1.zonevs.eu; dmarc=fail header.from=kreata.ee'
  })
})

t.test('organizational domains', async (t) => {
  t.equal(organizationalDomain('mail.comune.example.it'), 'example.it')
  t.equal(organizationalDomain('Mail.Example.CO.UK.'), 'example.co.uk')
  t.equal(organizationalDomain('co.uk'), null)
  t.equal(organizationalDomain('pec.comune.gov.it'), 'comune.gov.it')
  t.equal(organizationalDomain('192.0.2.1'), null)
  t.equal(organizationalDomain('localhost'), null)
  t.equal(relaxedAligned('bounce.example.it', 'EXAMPLE.it'), true)
  t.equal(relaxedAligned('example.it', 'example.com'), false)
  t.equal(relaxedAligned(null, 'example.com'), false)
})

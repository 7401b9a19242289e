// HTML hygiene for mail: the inbound sanitizer against a hostile battery and real-world mail, the editor sanitizer
// against a Word/Outlook paste, and the HTML <-> plain text conversions.
import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Parser } from 'htmlparser2'
import { simpleParser } from 'mailparser'
import { CORPUS_DIR, corpusSkip } from '../helpers/corpus.js'
import { DEFAULT_MAX_DATA_IMAGE_BYTES, htmlToText, sanitizeEditorHtml, sanitizeEmailHtml, textToHtml } from '../../src/mail/sanitize.js'

const cidUrl = (id: string) => `/att/${encodeURIComponent(id)}`
const clean = (html: string) => sanitizeEmailHtml(html, { cidUrl })
const REL = 'noopener noreferrer nofollow'
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

// ---------------------------------------------------------------------------------------------------------------
// A structural safety check of sanitizer output, independent of the sanitizer's own configuration
// ---------------------------------------------------------------------------------------------------------------

interface Policy {
  tags: Set<string>
  attributes: Record<string, string[]>
  hrefSchemes: RegExp
  imageSrc: RegExp
  styleProps: RegExp
}

const EMAIL_POLICY: Policy = {
  tags: new Set([
    'p',
    'br',
    'div',
    'span',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'a',
    'ul',
    'ol',
    'li',
    'blockquote',
    'pre',
    'code',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'caption',
    'colgroup',
    'col',
    'img',
    'hr',
    'font',
    'center',
    'sub',
    'sup',
    'small'
  ]),
  attributes: {
    '*': ['style', 'dir', 'lang', 'title', 'align'],
    a: ['href', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
    font: ['color', 'face', 'size'],
    table: ['width', 'height', 'border', 'cellpadding', 'cellspacing', 'bgcolor', 'summary'],
    tr: ['valign', 'bgcolor', 'height'],
    td: ['colspan', 'rowspan', 'width', 'height', 'align', 'valign', 'bgcolor', 'nowrap'],
    th: ['colspan', 'rowspan', 'width', 'height', 'align', 'valign', 'bgcolor', 'nowrap', 'scope'],
    col: ['span', 'width'],
    colgroup: ['span', 'width'],
    ol: ['start', 'type'],
    ul: ['type'],
    li: ['value'],
    hr: ['width', 'size', 'noshade']
  },
  hrefSchemes: /^(?:https?:\/\/[^/\\]|mailto:|tel:)/i,
  imageSrc: /^(?:\/att\/[^/]|data:image\/(?:png|jpeg|gif);base64,[A-Za-z0-9+/]+=*$)/,
  styleProps:
    /^(?:color|background-color|font-weight|font-style|text-decoration(?:-line)?|text-align|border-collapse|border-spacing|(?:margin|padding)(?:-(?:top|right|bottom|left))?|border(?:-(?:top|right|bottom|left))?(?:-(?:color|style|width))?|border(?:-(?:top|bottom)-(?:left|right))?-radius)$/
}

const EDITOR_POLICY: Policy = {
  tags: new Set([
    'p',
    'br',
    'div',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'a',
    'ul',
    'ol',
    'li',
    'blockquote',
    'h2',
    'h3',
    'h4',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'img'
  ]),
  attributes: {
    '*': ['style'],
    a: ['href', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
    ol: ['start']
  },
  hrefSchemes: /^(?:https?:\/\/[^/\\]|mailto:)/i,
  imageSrc: /^(?:cid:|\/api\/attachments\/\d+$)/,
  styleProps: /^text-align$/
}

/** Every way the output could break the policy, as readable strings (empty when safe). */
function violations(html: string, policy: Policy): string[] {
  const found: string[] = []
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (!policy.tags.has(name)) found.push(`tag <${name}>`)
        const allowed = [...(policy.attributes['*'] ?? []), ...(policy.attributes[name] ?? [])]
        for (const [attr, value] of Object.entries(attribs)) {
          if (!allowed.includes(attr)) found.push(`attribute ${name}[${attr}]`)
          if (/^on/i.test(attr)) found.push(`event handler ${attr}`)
          if (attr === 'href' && !policy.hrefSchemes.test(value)) found.push(`href ${value}`)
          if (attr === 'src' && !policy.imageSrc.test(value)) found.push(`src ${value.slice(0, 60)}`)
          if (attr === 'style') {
            if (/url\s*\(|expression|javascript|vbscript|@import|\\|behavior|binding|\/\*/i.test(value)) found.push(`style ${value}`)
            for (const decl of value.split(';').filter((d) => d.trim() !== '')) {
              const prop = decl.split(':')[0]?.trim().toLowerCase() ?? ''
              if (!policy.styleProps.test(prop)) found.push(`style property ${prop}`)
            }
          }
        }
        if (name === 'a' && attribs.href !== undefined && (attribs.rel !== REL || attribs.target !== '_blank'))
          found.push(`link without rel/target: ${JSON.stringify(attribs)}`)
      },
      oncomment(data) {
        found.push(`comment ${data.slice(0, 40)}`)
      },
      onprocessinginstruction(name) {
        found.push(`declaration ${name}`)
      }
    },
    { decodeEntities: true }
  )
  parser.write(html)
  parser.end()
  return found
}

t.test('the safety check itself notices unsafe markup', async (t) => {
  // Guards the guard: if violations() stopped finding things, every "no violations" assertion below would be empty.
  t.ok(violations('<script>x</script>', EMAIL_POLICY).includes('tag <script>'))
  t.ok(violations('<p onclick="x">a</p>', EMAIL_POLICY).some((v) => v.startsWith('event handler')))
  t.ok(violations('<a href="javascript:x" rel="noopener noreferrer nofollow" target="_blank">a</a>', EMAIL_POLICY).some((v) => v.startsWith('href')))
  t.ok(violations('<a href="https://x.it">a</a>', EMAIL_POLICY).some((v) => v.startsWith('link without rel')))
  t.ok(violations('<img src="http://tracker/x.gif">', EMAIL_POLICY).some((v) => v.startsWith('src')))
  t.ok(violations('<p style="background:url(x)">a</p>', EMAIL_POLICY).some((v) => v.startsWith('style')))
  t.ok(violations('<p class="x">a</p><!-- c -->', EMAIL_POLICY).length === 2)
  t.same(violations('<p style="color:red"><a href="https://x.it" rel="noopener noreferrer nofollow" target="_blank">a</a></p>', EMAIL_POLICY), [])
})

// ---------------------------------------------------------------------------------------------------------------
// Inbound mail: hostile battery
// ---------------------------------------------------------------------------------------------------------------

const HOSTILE: Array<{ name: string; html: string; expected: string }> = [
  { name: 'img onerror', html: '<img src=x onerror=alert(1)>', expected: '' },
  { name: 'script', html: '<p>a</p><script>alert(1)</script><p>b</p>', expected: '<p>a</p><p>b</p>' },
  { name: 'mixed-case script', html: '<SCRIPT>alert(1)</SCRIPT><ScRiPt src=//x></sCrIpT>ok', expected: 'ok' },
  { name: 'script split across a tag', html: '<scr<script>ipt>alert(1)</script>', expected: 'ipt&gt;alert(1)' },
  { name: 'double <', html: '<<img src=x onerror=alert(1)//>', expected: '&lt;' },
  { name: 'javascript: href', html: '<a href="javascript:alert(1)">x</a>', expected: 'x' },
  { name: 'javascript: href, mixed case and spaces', html: '<a href=" JaVaScRiPt:alert(1)">x</a>', expected: 'x' },
  { name: 'javascript: href, entity tab', html: '<a href="jav&#x09;ascript:alert(1)">x</a>', expected: 'x' },
  { name: 'javascript: href, literal tab and newline', html: '<a href="java\tscr\nipt:alert(1)">x</a>', expected: 'x' },
  { name: 'javascript: href, &colon; and leading control characters', html: '<a href=" &#14; JaVa&#x09;ScRiPt&colon;alert(1)">x</a>', expected: 'x' },
  {
    name: 'javascript: href, zero-padded decimal entities',
    html: '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    expected: 'x'
  },
  { name: 'vbscript: href', html: '<a href="vbscript:msgbox(1)">x</a>', expected: 'x' },
  { name: 'data: href', html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', expected: 'x' },
  { name: 'svg onload', html: '<svg onload=alert(1)><circle r=1></circle></svg>after', expected: 'after' },
  {
    name: 'svg content',
    html: '<svg><text>testo svg</text><a href="https://x.it">link svg</a><foreignObject><p>fo</p></foreignObject></svg>dopo',
    expected: 'dopo'
  },
  { name: 'svg with script', html: '<svg><script>alert(1)</script></svg><p>after</p>', expected: '<p>after</p>' },
  { name: 'math', html: '<math><mi>x</mi><a href="javascript:1">m</a></math>after', expected: 'after' },
  { name: '<style> with remote background', html: '<style>body{background:url(http://evil.example/x.png)}</style><p>t</p>', expected: '<p>t</p>' },
  { name: 'style url()', html: '<div style="background:url(http://evil.example/x)">d</div>', expected: '<div>d</div>' },
  { name: 'style background-image javascript', html: '<DIV STYLE="background-image: url(javascript:alert(1))">d</DIV>', expected: '<div>d</div>' },
  { name: 'style expression()', html: '<div style="width: expression(alert(1))">d</div>', expected: '<div>d</div>' },
  { name: 'expression() on an allowed property', html: '<div style="color: expression(alert(1))">d</div>', expected: '<div>d</div>' },
  { name: 'url() on an allowed property', html: '<div style="border: 1px solid url(http://evil.example/x)">d</div>', expected: '<div>d</div>' },
  { name: 'css escape', html: '<div style="color: u\\72l(x)">d</div>', expected: '<div>d</div>' },
  { name: '@import', html: '<div style="color: red; @import \'http://evil.example/x.css\'">d</div>', expected: '<div style="color:red">d</div>' },
  { name: '-moz-binding', html: '<div style="color: red; -moz-binding: url(x)">d</div>', expected: '<div style="color:red">d</div>' },
  {
    name: 'breaking out of the declaration block',
    html: '<div style="color: red; } body { background: red">d</div>',
    expected: '<div style="color:red">d</div>'
  },
  { name: 'iframe', html: '<iframe src="http://evil.example">fallback</iframe>x', expected: 'x' },
  { name: 'object/embed/applet', html: '<object data=x><param name=a>obj</object><embed src=x><applet code=x>ap</applet>x', expected: 'x' },
  {
    name: 'form',
    html: '<form action="http://evil.example"><input name=a><button>Invia</button><textarea>t</textarea><select><option>o</option></select></form>',
    expected: 'Invia'
  },
  { name: 'meta refresh', html: '<meta http-equiv="refresh" content="0;url=http://evil.example">x', expected: 'x' },
  {
    name: 'base href',
    html: '<base href="http://evil.example/"><a href="https://ok.example/a">x</a>',
    expected: `<a href="https://ok.example/a" target="_blank" rel="${REL}">x</a>`
  },
  { name: 'link stylesheet', html: '<link rel=stylesheet href=http://evil.example/x.css>x', expected: 'x' },
  {
    name: 'event handlers, class and id',
    html: '<p style="color:red" onmouseover="x()" ONCLICK="y()" class="MsoNormal foo" id="main">p</p>',
    expected: '<p style="color:red">p</p>'
  },
  { name: 'details ontoggle', html: '<details open ontoggle=alert(1)><summary>s</summary>d</details>', expected: 'sd' },
  {
    name: 'nested and broken tags',
    html: '<div><div><b>nested <i>broken</b> tags</i></div>',
    expected: '<div><div><b>nested <i>broken</i></b> tags</div></div>'
  },
  { name: 'unclosed tags are closed', html: '<p>unclosed <b>bold <i>it', expected: '<p>unclosed <b>bold <i>it</i></b></p>' },
  { name: 'entities stay escaped', html: '<p>1 &lt; 2 &amp;&amp; &lt;script&gt;</p>', expected: '<p>1 &lt; 2 &amp;&amp; &lt;script&gt;</p>' },
  {
    name: 'conditional comments',
    html: '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]--><p>Ciao</p>',
    expected: '<p>Ciao</p>'
  },
  { name: 'downlevel-revealed conditional comment', html: '<!--[if !mso]><!--><p>visibile</p><!--<![endif]-->', expected: '<p>visibile</p>' },
  { name: 'comments', html: '<p>a<!-- segreto --><!-- <script>alert(1)</script> -->b</p>', expected: '<p>ab</p>' },
  { name: 'CDATA', html: '<p><![CDATA[<script>alert(1)</script>]]></p>', expected: '<p></p>' },
  { name: 'noscript', html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', expected: '' },
  { name: 'xmp', html: '<xmp><script>alert(1)</script></xmp>', expected: '' },
  { name: 'title and head', html: '<html><head><title>Titolo</title><style>p{}</style></head><body><p>x</p></body></html>', expected: '<p>x</p>' },
  { name: 'remote image (tracking pixel)', html: '<p>Ciao<img src="http://tracker.example/p.gif?u=42" width=1 height=1></p>', expected: '<p>Ciao</p>' },
  {
    name: 'remote image with alt',
    html: '<a href="http://x.it"><img src="https://cdn.example/logo.png" alt="Logo Comune"></a>',
    expected: `<a href="http://x.it" target="_blank" rel="${REL}">Logo Comune</a>`
  },
  { name: 'protocol-relative image', html: '<img src="//tracker.example/p.gif">', expected: '' },
  { name: 'javascript image', html: '<IMG SRC="jav&#x0A;ascript:alert(1);" alt="x">', expected: 'x' },
  { name: 'svg data image', html: '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="svg">', expected: 'svg' },
  {
    name: 'background attributes',
    html: '<table background="http://evil.example/bg.gif" bgcolor="#fff"><tr><td background="x" colspan=2>c</td></tr></table>',
    expected: '<table bgcolor="#fff"><tr><td colspan="2">c</td></tr></table>'
  },
  {
    name: 'hidden content stays hidden',
    html: '<div><div style="display:none">preheader</div><span style="mso-hide:all">x</span><b>bold</b></div>',
    expected: '<div><b>bold</b></div>'
  }
]

t.test('sanitizeEmailHtml: hostile battery', async (t) => {
  for (const { name, html, expected } of HOSTILE) {
    const out = clean(html)
    t.equal(out, expected, name)
    t.same(violations(out, EMAIL_POLICY), [], `${name}: no violations`)
  }
})

t.test('sanitizeEmailHtml: elements replaced by transforms do not break their siblings', async (t) => {
  // sanitize-html remembers the renamed tag of a discarded element for its depth; a naive "rename to a disallowed
  // tag" would close the next sibling with the wrong name (<b>bold</trc-...>).
  t.equal(clean('<div><a href="javascript:x">t</a><b>bold</b></div>after'), '<div>t<b>bold</b></div>after')
  t.equal(clean('<p>Hello <img src="http://t.example/x.gif"> world <i>x</i></p>'), '<p>Hello  world <i>x</i></p>')
  // the text after an image replaced by its alt text is kept
  t.equal(clean('<p>Hello <img src="http://t.example/x.gif" alt="logo"> world <i>x</i></p>'), '<p>Hello logo world <i>x</i></p>')
  t.equal(clean('<p><span style="display:none">x</span><b>b</b> c</p>'), '<p><b>b</b> c</p>')
  t.equal(clean('<p>a<img src="http://t.example/x.gif" alt="x" style="display:none"><a href="javascript:x" style="display: none">y</a>b</p>'), '<p>ab</p>')
  t.equal(
    clean('<div style="display:none"><p>a<img alt="x" src="http://t.example/x"><a href="javascript:x">l</a><div style="display:none">n</div>b</p></div>c'),
    'c'
  )
  // alt text is text: escaped, never markup
  t.equal(clean('<img src="http://t.example/x" alt="<b>&quot;x&quot;</b> &amp; <x-trc-drop>">'), '&lt;b&gt;"x"&lt;/b&gt; &amp; &lt;x-trc-drop&gt;')
  // the internal carrier elements cannot be smuggled in
  t.equal(clean('<x-trc-drop style="color:red">visibile</x-trc-drop><x-trc-unwrap title="t">anche</x-trc-unwrap>'), 'visibileanche')
  t.equal(sanitizeEditorHtml('<p><x-trc-drop>visibile</x-trc-drop></p>'), '<p>visibile</p>')
})

t.test('sanitizers stay linear on mails with many removed elements', async (t) => {
  const body = '<p>' + 'testo '.repeat(100_000) + '</p>'
  const removed = '<span style="display:none">x</span><a href="javascript:1">y</a><img src="http://t.example/x" alt="a"><img src="http://t.example/x">'
  const html = body + removed.repeat(20_000)
  const started = Date.now()
  const out = clean(html)
  sanitizeEditorHtml(html)
  t.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`)
  t.equal(out, body + 'ya'.repeat(20_000))
  const links = '<a href="https://x.it/">testo del link</a> '.repeat(50_000)
  const textStarted = Date.now()
  t.equal(htmlToText(links).length, 50_000 * 'testo del link (https://x.it/) '.length - 1)
  t.ok(Date.now() - textStarted < 10_000, `htmlToText took ${Date.now() - textStarted} ms`)
})

t.test('sanitizeEmailHtml: links', async (t) => {
  t.equal(
    clean('<a href="http://ok.it/x" onclick="a()" class="c" id="i" name="n" target="_self" rel="opener" title="T">ok</a>'),
    `<a href="http://ok.it/x" target="_blank" rel="${REL}" title="T">ok</a>`
  )
  t.equal(clean('<a href="mailto:ufficio@comune.example.it">m</a>'), `<a href="mailto:ufficio@comune.example.it" target="_blank" rel="${REL}">m</a>`)
  t.equal(clean('<a href="tel:+390612345">t</a>'), `<a href="tel:+390612345" target="_blank" rel="${REL}">t</a>`)
  t.equal(clean('<a href="  https://ok.example/a?b=1&amp;c=2  ">x</a>'), `<a href="https://ok.example/a?b=1&amp;c=2" target="_blank" rel="${REL}">x</a>`)
  // relative and protocol-relative links would point at the operator's own host: unwrapped
  t.equal(clean('<a href="//evil.example">a</a><a href="/admin/delete">b</a><a href="#top">c</a><a href="ftp://x">d</a><a>e</a>'), 'abcde')
  t.equal(clean('<a href="https:evil.example">x</a>'), 'x')
})

t.test('sanitizeEmailHtml: images', async (t) => {
  t.equal(
    clean('<img src="cid:image001.png@01D9A1B2.C3D4E5F0" alt="logo" width="120" height="40" style="width:120px" class="x" onerror="x">'),
    '<img src="/att/image001.png%4001D9A1B2.C3D4E5F0" alt="logo" width="120" height="40" />'
  )
  // RFC 2392: the cid URL is percent-encoded and may (wrongly, but often) carry angle brackets; the scheme is case-insensitive
  const seen: string[] = []
  sanitizeEmailHtml('<img src="CID:%3Cpart1.abc@mail.example%3E"><img src=" cid:<b@c> ">', { cidUrl: (id) => (seen.push(id), null) })
  t.same(seen, ['part1.abc@mail.example', 'b@c'])
  // unknown Content-ID, no callback, or a callback answering something unsafe: the alt text or nothing
  t.equal(sanitizeEmailHtml('<img src="cid:missing" alt="manca">', { cidUrl: () => null }), 'manca')
  t.equal(sanitizeEmailHtml('<img src="cid:x" alt="a">', {}), 'a')
  t.equal(sanitizeEmailHtml('<img src="cid:x">'), '')
  t.equal(sanitizeEmailHtml('<img src="cid:x" alt="a">', { cidUrl: () => 'javascript:alert(1)' }), 'a')
  t.equal(sanitizeEmailHtml('<img src="cid:x" alt="a">', { cidUrl: () => '//evil.example/x' }), 'a')
  t.equal(sanitizeEmailHtml('<img src="cid:x">', { cidUrl: () => 'https://erp.example/att/1' }), '<img src="https://erp.example/att/1" />')
  // small inline images are kept, normalised; big ones, other types and broken base64 are not
  t.equal(clean(`<img src="data:image/PNG;base64,${PNG_1PX.slice(0, 40)}\n${PNG_1PX.slice(40)}">`), `<img src="data:image/png;base64,${PNG_1PX}" />`)
  t.equal(clean('<img src="data:image/jpg;base64,/9j/4AAQ">'), '<img src="data:image/jpeg;base64,/9j/4AAQ" />')
  t.equal(clean('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'), '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" />')
  t.equal(clean('<img src="data:image/webp;base64,UklGRg==" alt="w">'), 'w')
  t.equal(clean('<img src="data:image/png,rawbytes" alt="r">'), 'r')
  t.equal(clean('<img src="data:image/png;base64,@@@" alt="b">'), 'b')
  const payload = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64')
  t.equal(DEFAULT_MAX_DATA_IMAGE_BYTES, 1024 * 1024)
  t.match(clean(`<img src="data:image/png;base64,${payload(DEFAULT_MAX_DATA_IMAGE_BYTES)}">`), /^<img src="data:image\/png;base64,/)
  t.equal(clean(`<img src="data:image/png;base64,${payload(DEFAULT_MAX_DATA_IMAGE_BYTES + 1)}" alt="grande">`), 'grande')
  t.equal(sanitizeEmailHtml(`<img src="data:image/png;base64,${payload(101)}">`, { maxDataImageBytes: 100 }), '')
  t.equal(
    sanitizeEmailHtml(`<img src="data:image/png;base64,${payload(100)}">`, { maxDataImageBytes: 100 }),
    `<img src="data:image/png;base64,${payload(100)}" />`
  )
  // remote images are never kept, whatever the scheme or spelling
  for (const src of [
    'http://t.example/p.gif',
    'HTTPS://t.example/p.gif',
    ' https://t.example/p.gif',
    '//t.example/p.gif',
    '/local.gif',
    'p.gif',
    'ftp://t.example/p.gif'
  ]) {
    t.equal(clean(`<img src="${src}" alt="x">`), 'x', src)
  }
})

t.test('sanitizeEmailHtml: nothing remote is ever loaded', async (t) => {
  const vectors = [
    '<img src="cid:a" srcset="https://tracker.example/x.png 2x">',
    '<img src="cid:a" lowsrc="https://tracker.example/x.png" dynsrc="https://tracker.example/x.avi">',
    '<picture><source srcset="https://tracker.example/x.webp"><img src="https://tracker.example/x.png"></picture>',
    '<video poster="https://tracker.example/p.png" src="https://tracker.example/v.mp4"></video><audio src="https://tracker.example/a.mp3"></audio>',
    '<body background="https://tracker.example/bg.png"><table background="https://tracker.example/bg.png"><tr><td background="https://tracker.example/bg.png">x</td></tr></table></body>',
    '<div style="background: #fff url(https://tracker.example/bg.png)">x</div><div style="background-image: url(\'https://tracker.example/bg.png\')">y</div>',
    '<div style="list-style-image: url(https://tracker.example/b.png); cursor: url(https://tracker.example/c.cur)">x</div>',
    '<style>@import url(https://tracker.example/s.css); @font-face { src: url(https://tracker.example/f.woff) }</style>',
    '<link rel="stylesheet" href="https://tracker.example/s.css"><link rel="prefetch" href="https://tracker.example/p">',
    '<a href="https://ok.example/" ping="https://tracker.example/ping">x</a>',
    '<input type="image" src="https://tracker.example/i.png"><object data="https://tracker.example/o.swf"></object><embed src="https://tracker.example/e.swf">',
    '<iframe src="https://tracker.example/f.html"></iframe><frameset><frame src="https://tracker.example/f.html"></frameset>',
    '<svg><image href="https://tracker.example/s.png"/><use xlink:href="https://tracker.example/s.svg#a"/></svg>',
    '<meta http-equiv="refresh" content="0; url=https://tracker.example/r"><base href="https://tracker.example/">',
    '<img src="https://tracker.example/x.png"><img src="//tracker.example/x.png"><img src="HtTpS://tracker.example/x.png">'
  ]
  for (const html of vectors) {
    const out = sanitizeEmailHtml(html, { cidUrl: () => '/att/1' })
    t.notOk(out.includes('tracker.example'), html.slice(0, 70))
    t.same(violations(out, EMAIL_POLICY), [], `${html.slice(0, 50)}: no violations`)
  }
})

t.test('sanitizeEmailHtml: inline styles', async (t) => {
  t.equal(
    clean(
      '<div style="font-family: Arial; color: #FF0000 !important; background-color: rgb(1, 2, 3); position: absolute; font-weight: bold; font-style: italic; text-decoration: underline; text-align: center">c</div>'
    ),
    '<div style="color:#FF0000 !important;background-color:rgb(1, 2, 3);font-weight:bold;font-style:italic;text-decoration:underline;text-align:center">c</div>'
  )
  t.equal(
    clean(
      '<td style="margin: -1px 2em; padding-left: 3px; border-top: 1px dotted rgba(0,0,0,.5); border-collapse: collapse; border-radius: 4px; width: 100px">c</td>'
    ),
    '<td style="margin:-1px 2em;padding-left:3px;border-top:1px dotted rgba(0,0,0,.5);border-collapse:collapse;border-radius:4px">c</td>'
  )
  t.equal(clean('<p style="color: /**/red">c</p>'), '<p style="color:red">c</p>')
  t.equal(
    clean('<p style="color: RGB(0, 0, 255); margin: 0CM 0PT; border: 1PX SOLID #ABC">c</p>'),
    '<p style="color:RGB(0, 0, 255);margin:0CM 0PT;border:1PX SOLID #ABC">c</p>'
  )
  t.equal(clean('<p style="color: javascript:alert(1)">c</p>'), '<p>c</p>')
  t.equal(clean('<p style="color: red; background-color: url(x)">c</p>'), '<p style="color:red">c</p>')
  t.equal(clean('<p style="text-align: center; text-align: expression(1)">c</p>'), '<p style="text-align:center">c</p>')
  t.equal(clean('<p style="{{{">c</p>'), '<p>c</p>')
})

t.test('sanitizeEmailHtml: keeps the formatting it allows', async (t) => {
  const html =
    '<p>a<br>b</p><hr><pre>x  y</pre><code>c</code><h1>h</h1><h6>h6</h6><blockquote>q</blockquote><ul><li>l</li></ul><ol start="3"><li>n</li></ol>' +
    '<sub>s</sub><sup>s</sup><small>s</small><u>u</u><s>s</s><em>e</em><strong>s</strong><i>i</i><b>b</b><center>c</center><font color="red" face="Arial" size="2">f</font>' +
    '<table><caption>c</caption><colgroup><col span="2" width="10"></colgroup><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>'
  const expected =
    '<p>a<br />b</p><hr /><pre>x  y</pre><code>c</code><h1>h</h1><h6>h6</h6><blockquote>q</blockquote><ul><li>l</li></ul><ol start="3"><li>n</li></ol>' +
    '<sub>s</sub><sup>s</sup><small>s</small><u>u</u><s>s</s><em>e</em><strong>s</strong><i>i</i><b>b</b><center>c</center><font color="red" face="Arial" size="2">f</font>' +
    '<table><caption>c</caption><colgroup><col span="2" width="10" /></colgroup><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>'
  t.equal(clean(html), expected)
  t.equal(clean(''), '')
  t.equal(clean('solo testo & <niente>'), 'solo testo &amp; ')
})

t.test('sanitizeEmailHtml: deep nesting is flattened, not fatal', async (t) => {
  const deep = '<div>'.repeat(5000) + 'fondo' + '</div>'.repeat(5000)
  const out = clean(deep)
  t.ok(out.includes('fondo'))
  t.ok((out.match(/<div>/g) ?? []).length <= 120, 'nesting limited')
  t.equal((out.match(/<div>/g) ?? []).length, (out.match(/<\/div>/g) ?? []).length, 'balanced')
})

// ---------------------------------------------------------------------------------------------------------------
// Inbound mail: real-world corpus, parsed with mailparser
// ---------------------------------------------------------------------------------------------------------------

async function corpusHtml(file: string): Promise<{ html: string; contentIds: string[] }> {
  const mail = await simpleParser(readFileSync(path.join(CORPUS_DIR, file)), { keepCidLinks: true })
  return {
    html: typeof mail.html === 'string' ? mail.html : '',
    contentIds: mail.attachments.flatMap((a) => (a.contentId ? [a.contentId.replace(/^<|>$/g, '')] : []))
  }
}

t.test('sanitizeEmailHtml: real-world mail keeps its visible text', { skip: corpusSkip }, async (t) => {
  const cases: Array<{ file: string; phrases: string[] }> = [
    { file: 'rt/text-html-with-umlaut', phrases: ['Mit freundlichen Grüßen', 'ist this kind of Messages, that causes rt to crash.'] },
    { file: 'rt/multipart-alternative-with-umlaut', phrases: ['Mit freundlichen Grüßen'] },
    { file: 'rt/crashes-file-based-parser', phrases: ['Somebody at IP 127.0.0.1 scanned my ports.', 'Forwarded Message'] },
    { file: 'rt/outlook-rfc822', phrases: ['Could this look more spammy?'] },
    { file: 'mailparser/mixed.eml', phrases: ['Good Morning;', 'scanned for Viruses'] },
    { file: 'mailparser/nested.eml', phrases: ['Dear Sir', 'The footer'] },
    { file: 'mailparser/spam.eml', phrases: ['Im Jahre 2007 wurde er als „asozialer Penner“ beschimpft!', 'Es sind nur noch 44 kostenfreie Plätze verfügbar'] },
    { file: 'mailparser/nodemailer.eml', phrases: ['Hello to myself', "Here's a nyan cat for you as an embedded attachment:"] },
    { file: 'mailparser/outofmemory.eml', phrases: ['$1 million in Life Insurance Coverage'] }
  ]
  for (const { file, phrases } of cases) {
    const { html, contentIds } = await corpusHtml(file)
    t.ok(html.length > 0, `${file} has an HTML body`)
    const out = sanitizeEmailHtml(html, { cidUrl: (id) => (contentIds.includes(id) ? cidUrl(id) : null) })
    t.same(violations(out, EMAIL_POLICY), [], `${file}: no violations`)
    const text = htmlToText(out)
    for (const phrase of phrases) t.ok(text.includes(phrase), `${file}: "${phrase}"`)
    // the sanitizer removes markup, never visible text
    t.equal(text, htmlToText(html), `${file}: same visible text as the original`)
  }
})

t.test('sanitizeEmailHtml: corpus cid: images are rewritten to the stored parts', { skip: corpusSkip }, async (t) => {
  const { html, contentIds } = await corpusHtml('mailparser/nodemailer.eml')
  t.same(contentIds.sort(), ['note@example.com', 'nyan@example.com'])
  t.ok(html.includes('src="cid:note@example.com"'))
  const out = sanitizeEmailHtml(html, { cidUrl: (id) => (contentIds.includes(id) ? cidUrl(id) : null) })
  t.ok(out.includes('<img src="/att/note%40example.com" />'))
  t.ok(out.includes('/att/nyan%40example.com'))
  t.notOk(out.includes('cid:'))
})

t.test('sanitizeEmailHtml: spam with remote images and tracking links', { skip: corpusSkip }, async (t) => {
  const { html } = await corpusHtml('mailparser/outofmemory.eml')
  t.ok(/<img[^>]+src="http/i.test(html), 'the original loads remote images')
  const out = clean(html)
  t.notOk(out.includes('<img'), 'no remote image survives')
  t.ok(out.includes(`rel="${REL}"`))
})

t.test('sanitizeEmailHtml: a 570 kB unterminated <title> neither crashes nor leaks', { skip: corpusSkip }, async (t) => {
  const { html } = await corpusHtml('mailparser/htmllargecallstack.eml')
  t.ok(html.length > 500_000)
  const started = Date.now()
  const out = clean(html)
  t.ok(Date.now() - started < 5000)
  t.equal(out.trim(), '', 'everything is inside <title>, which is not body text')
})

// ---------------------------------------------------------------------------------------------------------------
// Operator-authored HTML
// ---------------------------------------------------------------------------------------------------------------

// What Word 2016 puts on the clipboard (trimmed), pasted into the editor.
const WORD_PASTE = `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Word.Document>
<link rel=File-List href="file:///C:/Users/op/AppData/Local/Temp/msohtmlclip1/01/clip_filelist.xml">
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]-->
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom></w:WordDocument></xml><![endif]-->
<style><!-- /* Font Definitions */ @font-face {font-family:"Cambria Math";} p.MsoNormal, li.MsoNormal {mso-style-unhide:no; margin:0cm; font-size:11.0pt;} --></style>
</head>
<body lang=IT style='tab-interval:35.4pt;word-wrap:break-word'>
<!--StartFragment-->
<h1 class=MsoTitle>Comunicazione</h1>
<p class=MsoNormal><b><span style='font-size:14.0pt;mso-bidi-font-size:11.0pt'>Gentile cittadino,<o:p></o:p></span></b></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal style='text-align:justify;mso-line-height-alt:12.0pt'>la segnalazione relativa al <span class=SpellE>cassonetto</span> è stata <i>presa in carico</i>.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>ritiro ingombranti<o:p></o:p></p>
<p class=MsoNormal><a href="https://www.comune.example.it/rifiuti"><span style='color:#0563C1'>www.comune.example.it</span></a> e <a href="file:///C:/Users/op/Documents/modulo.docx">modulo</a><o:p></o:p></p>
<p class=MsoNormal><!--[if gte vml 1]><v:shape id="Immagine_x0020_1" style='width:90pt;height:30pt'><v:imagedata src="file:///C:/Users/op/AppData/Local/Temp/msohtmlclip1/01/clip_image001.png" o:title=""/></v:shape><![endif]--><![if !vml]><img width=120 height=40 src="file:///C:/Users/op/AppData/Local/Temp/msohtmlclip1/01/clip_image001.png" alt="Logo" v:shapes="Immagine_x0020_1"><![endif]><o:p></o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none;mso-yfti-tbllook:1184'>
<tr style='mso-yfti-irow:0'><td width=200 valign=top style='width:150.0pt;border:solid windowtext 1.0pt'><p class=MsoNormal align=center style='text-align:center'>Data<o:p></o:p></p></td>
<td width=200 valign=top style='width:150.0pt'><p class=MsoNormal>12/03/2025<o:p></o:p></p></td></tr>
</table>
<h5>Nota</h5><p class=MsoNormal><font face="Calibri" color=red><strike>vecchio</strike></font> <u>nuovo</u></p>
<!--EndFragment-->
</body></html>`

const WORD_EXPECTED = `<h2>Comunicazione</h2>
<p><b>Gentile cittadino,</b></p>
<p>\u00A0</p>
<p style="text-align:justify">la segnalazione relativa al cassonetto è stata <i>presa in carico</i>.</p>
<p>ritiro ingombranti</p>
<p><a href="https://www.comune.example.it/rifiuti" target="_blank" rel="${REL}">www.comune.example.it</a> e modulo</p>
<p>Logo</p>
<table>
<tr><td><p style="text-align:center">Data</p></td>
<td><p>12/03/2025</p></td></tr>
</table>
<h4>Nota</h4><p><s>vecchio</s> <u>nuovo</u></p>`

t.test('sanitizeEditorHtml: Word paste', async (t) => {
  const out = sanitizeEditorHtml(WORD_PASTE)
  t.equal(out.trim(), WORD_EXPECTED)
  t.same(violations(out, EDITOR_POLICY), [])
  for (const junk of ['Mso', 'mso-', 'o:p', '96', 'Normal', 'font-family', 'file:', '·', 'class=', 'Cambria']) t.notOk(out.includes(junk), `no ${junk}`)
  t.equal(
    htmlToText(out),
    'Comunicazione\n\nGentile cittadino,\n\nla segnalazione relativa al cassonetto è stata presa in carico.\n\nritiro ingombranti\n\n' +
      'www.comune.example.it (https://www.comune.example.it/rifiuti) e modulo\n\nLogo\n\nData\t12/03/2025\n\nNota\n\nvecchio nuovo'
  )
})

t.test('sanitizeEditorHtml: Outlook reply paste', async (t) => {
  const outlook =
    '<div class=WordSection1><p class=MsoNormal><span style=\'font-size:11.0pt;font-family:"Calibri",sans-serif;mso-fareast-language:EN-US\'>Buongiorno,<o:p></o:p></span></p>' +
    "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b><span lang=IT>Da:</span></b><span lang=IT> Mario Rossi &lt;mario.rossi@example.test&gt;<br><b>Inviato:</b> lunedì 3 marzo 2025 10:12</span></p></div></div>"
  t.equal(
    sanitizeEditorHtml(outlook),
    '<div><p>Buongiorno,</p><div><p><b>Da:</b> Mario Rossi &lt;mario.rossi@example.test&gt;<br /><b>Inviato:</b> lunedì 3 marzo 2025 10:12</p></div></div>'
  )
})

t.test('sanitizeEditorHtml: strict subset', async (t) => {
  t.equal(sanitizeEditorHtml('<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6>'), '<h2>a</h2><h2>b</h2><h3>c</h3><h4>d</h4><h4>e</h4><h4>f</h4>')
  t.equal(sanitizeEditorHtml('<span style="color:red">x</span><font color=red>y</font><pre>z</pre><code>c</code><hr><center>m</center>'), 'xyzcm')
  t.equal(sanitizeEditorHtml('<p style="color:red;text-align:right;font-weight:bold">x</p>'), '<p style="text-align:right">x</p>')
  t.equal(sanitizeEditorHtml('<p style="text-align:expression(1)">x</p>'), '<p>x</p>')
  t.equal(
    sanitizeEditorHtml('<ol start="2" type="a"><li class="x">a</li></ol><ul><li>b</li></ul><blockquote>q</blockquote>'),
    '<ol start="2"><li>a</li></ol><ul><li>b</li></ul><blockquote>q</blockquote>'
  )
  t.equal(
    sanitizeEditorHtml('<table border=1 width="100%"><thead><tr><th colspan=2 width=5>h</th></tr></thead><tbody><tr><td rowspan=2>d</td></tr></tbody></table>'),
    '<table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td rowspan="2">d</td></tr></tbody></table>'
  )
  t.equal(
    sanitizeEditorHtml(
      '<a href="https://x.it" title="t" class="c">a</a><a href="mailto:a@b.it">b</a><a href="tel:123">c</a><a href="/rel">d</a><a href="javascript:alert(1)">e</a>'
    ),
    `<a href="https://x.it" target="_blank" rel="${REL}">a</a><a href="mailto:a@b.it" target="_blank" rel="${REL}">b</a>cde`
  )
})

t.test('sanitizeEditorHtml: images', async (t) => {
  const html =
    '<p><img src="cid:logo@erp" alt="logo" width="10" style="float:left"><img src="/api/attachments/17" alt="allegato"><img src="https://evil.example/x.png" alt="remoto"><img src="javascript:alert(1)"><img src="data:image/png;base64,iVBORw0KGgo="></p>'
  // default: cid: only; refused images leave their alt text
  t.equal(sanitizeEditorHtml(html), '<p><img src="cid:logo@erp" alt="logo" width="10" />allegatoremoto</p>')
  // with a callback: it decides (and may rewrite); what it returns must still be a safe URL
  const seen: string[] = []
  const out = sanitizeEditorHtml(html, {
    imageSrc: (src) => {
      seen.push(src)
      if (src.startsWith('cid:') || /^\/api\/attachments\/\d+$/.test(src)) return src
      return src.startsWith('data:') ? 'javascript:alert(1)' : null
    }
  })
  t.equal(out, '<p><img src="cid:logo@erp" alt="logo" width="10" /><img src="/api/attachments/17" alt="allegato" />remoto</p>')
  t.same(seen, ['cid:logo@erp', '/api/attachments/17', 'https://evil.example/x.png', 'javascript:alert(1)', 'data:image/png;base64,iVBORw0KGgo='])
  t.same(violations(out, EDITOR_POLICY), [])
})

t.test('sanitizeEditorHtml: hostile battery', async (t) => {
  for (const { name, html } of HOSTILE) {
    t.same(violations(sanitizeEditorHtml(html), EDITOR_POLICY), [], name)
  }
  t.equal(sanitizeEditorHtml('<p>a</p><script>alert(1)</script><style>p{}</style><p onclick="x">b</p>'), '<p>a</p><p>b</p>')
})

// ---------------------------------------------------------------------------------------------------------------
// HTML -> plain text
// ---------------------------------------------------------------------------------------------------------------

t.test('htmlToText: paragraphs, line breaks, whitespace and entities', async (t) => {
  t.equal(
    htmlToText('<p>Uno  due\n tre</p><p>Quattro&nbsp;&amp;&lt;cinque&gt; &egrave; &#8364;</p><div>a</div><div>b</div>x<br>y<br><br>z'),
    'Uno due tre\n\nQuattro &<cinque> è €\n\na\nb\nx\ny\n\nz'
  )
  t.equal(htmlToText('<p><b>Hello</b> <i>world</i>!<span> x</span>y</p>'), 'Hello world! xy')
  t.equal(htmlToText('<h1>Titolo</h1>testo<h2>Sotto</h2>'), 'Titolo\n\ntesto\n\nSotto')
  t.equal(htmlToText('<p>a</p><hr><p>b</p>'), 'a\n\n----------\n\nb')
  t.equal(htmlToText('<p>a</p><br><p>b</p><br><br><br><p>c</p><p>&nbsp;</p><p>&nbsp;</p><p>d</p>'), 'a\n\nb\n\nc\n\nd', 'at most one blank line')
  t.equal(htmlToText('<p>x</p><pre>  a  b\n    c</pre><p>y</p>'), 'x\n\n  a  b\n    c\n\ny')
  t.equal(htmlToText('<p>a <img src="x" alt="logo"> b</p><img src="y">'), 'a logo b')
  t.equal(htmlToText('   '), '')
  t.equal(htmlToText(''), '')
})

t.test('htmlToText: invisible content is skipped', async (t) => {
  t.equal(
    htmlToText(
      '<html><head><title>T</title><style>p{color:red}</style><script>x()</script></head><body><p>Visibile</p><!-- c --><!--[if mso]>mso<![endif]--></body></html>'
    ),
    'Visibile'
  )
  t.equal(htmlToText('<xml><o:x>96</o:x></xml><template>t</template><p>ok</p>'), 'ok')
})

t.test('htmlToText: lists', async (t) => {
  t.equal(
    htmlToText('<p>Intro</p><ul><li>uno</li><li>due<ul><li>due.a</li></ul></li></ul><ol start="3"><li>tre</li><li>quattro</li></ol><p>fine</p>'),
    'Intro\n\n- uno\n- due\n  - due.a\n\n3. tre\n4. quattro\n\nfine'
  )
  t.equal(htmlToText('<ul><li><p>a</p><p>b</p></li></ul>'), '- a\n\n  b')
})

t.test('htmlToText: quotes', async (t) => {
  t.equal(
    htmlToText('<p>Risposta</p><blockquote><p>Riga 1<br>Riga 2</p><blockquote>annidata</blockquote><p>Dopo</p></blockquote><p>Fine</p>'),
    'Risposta\n\n> Riga 1\n> Riga 2\n>\n> > annidata\n>\n> Dopo\n\nFine'
  )
})

t.test('htmlToText: links', async (t) => {
  t.equal(
    htmlToText(
      '<a href="https://x.it/a">Sito</a>, <a href="https://x.it/">https://x.it</a>, <a href="mailto:a@b.it">a@b.it</a>, <a href="javascript:alert(1)">js</a>, <a href="https://y.it"></a>.'
    ),
    'Sito (https://x.it/a), https://x.it, a@b.it, js, .'
  )
  t.equal(htmlToText('<a href="https://x.it/a"><b>Grassetto</b> link</a>'), 'Grassetto link (https://x.it/a)')
  t.equal(htmlToText('<a href="HTTP://WWW.X.IT">www.x.it</a>'), 'www.x.it')
})

t.test('htmlToText: tables', async (t) => {
  t.equal(
    htmlToText('<table><tr><th>Nome</th><th>Valore</th></tr><tr><td>A</td><td><p>1</p></td></tr><tr><td></td><td>2</td></tr></table><p>dopo</p>'),
    'Nome\tValore\nA\t1\n\t2\n\ndopo'
  )
})

// ---------------------------------------------------------------------------------------------------------------
// Plain text -> HTML
// ---------------------------------------------------------------------------------------------------------------

t.test('textToHtml: escaping, paragraphs and line breaks', async (t) => {
  t.equal(
    textToHtml('Ciao <Mario> & "co" \'x\'\r\nseconda riga\r\n\r\n\r\nNuovo paragrafo'),
    '<p>Ciao &lt;Mario&gt; &amp; &quot;co&quot; &#39;x&#39;<br>\nseconda riga</p>\n<p>Nuovo paragrafo</p>'
  )
  t.equal(textToHtml('  indentato  due\tspazi'), '<p>&nbsp;&nbsp;indentato &nbsp;due &nbsp;&nbsp;&nbsp;spazi</p>')
  t.equal(textToHtml('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>')
  t.equal(textToHtml(''), '')
  t.equal(textToHtml('\n\n  \n'), '')
})

t.test('textToHtml: links', async (t) => {
  const a = (url: string) => `<a href="${url}" target="_blank" rel="${REL}">${url}</a>`
  t.equal(textToHtml('vedi https://example.it/path?a=1&b=2.'), `<p>vedi ${a('https://example.it/path?a=1&amp;b=2')}.</p>`)
  t.equal(textToHtml('(https://x.it/a_(b)) e http://y.it/z), fine'), `<p>(${a('https://x.it/a_(b)')}) e ${a('http://y.it/z')}), fine</p>`)
  t.equal(textToHtml('https://x.it/"onmouseover="alert(1)'), `<p>${a('https://x.it/')}&quot;onmouseover=&quot;alert(1)</p>`)
  t.equal(textToHtml('javascript:alert(1) ftp://x.it www.x.it http:// x'), '<p>javascript:alert(1) ftp://x.it www.x.it http:// x</p>')
  t.equal(textToHtml('<https://x.it/a>'), `<p>&lt;${a('https://x.it/a')}&gt;</p>`)
  // what textToHtml makes survives the sanitizers unchanged
  const html = textToHtml('Gentile utente,\nvedi https://comune.example.it/a?b=1&c=2\n\nSaluti')
  t.equal(sanitizeEmailHtml(html), html.replace(/<br>/g, '<br />'))
  t.equal(sanitizeEditorHtml(html), html.replace(/<br>/g, '<br />'))
})

t.test('textToHtml and htmlToText round trip', async (t) => {
  const text = 'Gentile utente,\nla pratica è chiusa.\n\nDettagli: https://comune.example.it/p?id=1&x=2\n\nSaluti'
  t.equal(htmlToText(textToHtml(text)), text)
})

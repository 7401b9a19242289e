// HTML hygiene for mail, one file a job under src/mail/sanitize/: the URL policy (url-policy.ts) and the parts both
// sanitizers share (shared.ts); inbound (citizen) HTML sanitised before an operator's browser shows it
// (inbound.ts); operator-authored HTML from the rich-text editor sanitised before it is stored and sent
// (editor.ts); HTML → plain text for the text/plain alternative of outbound mail (html-to-text.ts) and plain text
// → HTML (text-to-html.ts). Pure functions, no I/O.
export { DEFAULT_MAX_DATA_IMAGE_BYTES, sanitizeEmailHtml, type SanitizeEmailOptions } from './sanitize/inbound.js'
export { sanitizeEditorHtml, type SanitizeEditorOptions } from './sanitize/editor.js'
export { htmlToText } from './sanitize/html-to-text.js'
export { textToHtml } from './sanitize/text-to-html.js'

// The elements an operator's text may hold. The editor sanitiser (editor.ts) keeps these and images; the tab's
// paste cleaner (ui-extension/src/paste.ts) keeps these and turns a pasted image into its alt text. A leaf module
// (no imports), so the browser bundle shares the list with the server.
export const EDITOR_TEXT_TAGS = [
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
  'td'
] as const

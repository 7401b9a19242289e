// The ARERA TQRIF request types the module tracks: a leaf module (no imports) so the browser bundle can share the
// list with the server without pulling in the labels, standards and keyword tables of arera.ts.

/** Codes of the request types the module tracks, in the order shown to operators. */
export const REQUEST_TYPE_CODES = [
  'reclamo_scritto',
  'richiesta_informazioni',
  'rettifica_importi',
  'segnalazione_disservizio',
  'ritiro_su_chiamata',
  'riparazione_attrezzature',
  'attivazione_variazione_cessazione',
  'altro'
] as const

export type RequestType = (typeof REQUEST_TYPE_CODES)[number]

// IBAN checks: electronic and paper formats, the country length table, Italian structure and mod-97.
import t from 'tap'
import { ibanProblem, isValidIban, normalizeIban } from '../../src/domain/iban.js'

t.test('valid IBANs in paper and electronic form', async (t) => {
  for (const iban of [
    'IT60X0542811101000000123456',
    'IT60 X054 2811 1010 0000 0123 456',
    'it60x0542811101000000123456',
    'DE89370400440532013000',
    'FR1420041010050500013M02606',
    'GB29NWBK60161331926819',
    'SM86U0322509800000000270100'
  ]) {
    t.ok(isValidIban(iban), iban)
  }
  t.equal(normalizeIban(' it60 x054-2811 '), 'IT60X0542811')
})

t.test('what is wrong with an invalid IBAN', async (t) => {
  t.equal(ibanProblem('IT60X0542811101000000123457'), 'checksum', 'one digit changed')
  t.equal(ibanProblem('IT06X0542811101000000123456'), 'checksum', 'check digits swapped')
  t.equal(ibanProblem('IT60X054281110100000012345'), 'length', 'one character short')
  t.equal(ibanProblem('US64SVBKUS6S3300958879'), 'country', 'not a SEPA country')
  t.equal(ibanProblem('IT6OX0542811101000000123456'), 'format', 'letter O in the check digits')
  t.equal(ibanProblem('IT60505428111010000001234X6'), 'format', 'an Italian IBAN needs its CIN letter')
  t.equal(ibanProblem(''), 'format')
  t.equal(ibanProblem('IT60X0542811101000000123456!'), 'format')
})

// The Sportello On-line's static assets: the stylesheet, the progressive-enhancement script of the form, and
// the snippet an operator pastes into its own site. Served as files (never inline) so the pages' CSP can forbid
// inline script. The scripts are plain ES2017 without dependencies: they run in any current browser.

/** Colours meet WCAG AA contrast (text ≥ 4.5:1, focus indicator ≥ 3:1); nothing relies on colour alone. */
export const FORM_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 "Titillium Web",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
body.embed .top{display:none}
.top{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1.25rem;background:#0b3d6b;color:#fff}
.top a{color:#fff}
.top p{margin:0}
.org{font-weight:600}
main{max-width:46rem;margin:0 auto;padding:1.25rem}
h1{font-size:2rem;margin:.5rem 0 1rem;color:#0b3d6b}
h2{font-size:1.4rem;color:#0b3d6b}
.lead{font-size:1.15rem}
a{color:#0b57a4}
a:hover{color:#06325f}
fieldset{border:1px solid #8a8a8a;border-radius:4px;margin:0 0 1.5rem;padding:1rem 1.25rem}
legend{font-weight:700;font-size:1.15rem;padding:0 .35rem}
.field{margin:0 0 1.1rem}
.field label{display:block;font-weight:600;margin-bottom:.2rem}
.req{font-weight:400;color:#4d4d4d}
.hint{color:#4d4d4d;margin:.1rem 0 .35rem;font-size:.95rem}
input[type=text],input[type=email],input[type=tel],input:not([type]),select,textarea{display:block;width:100%;max-width:100%;padding:.55rem .6rem;font:inherit;color:#1a1a1a;background:#fff;border:2px solid #5c5c5c;border-radius:4px}
input[type=file]{font:inherit;max-width:100%}
textarea{resize:vertical}
.pair{display:flex;gap:1rem;flex-wrap:wrap}
.pair>.field{flex:1 1 14rem}
.checkbox{display:flex;flex-wrap:wrap;align-items:flex-start;gap:.5rem}
.checkbox .error-text{flex-basis:100%}
.checkbox input{width:1.4rem;height:1.4rem;margin:.1rem 0 0}
.checkbox label{flex:1;font-weight:400}
:focus-visible{outline:3px solid #ffbf47;outline-offset:2px;box-shadow:0 0 0 5px #1a1a1a}
button{font:inherit;font-weight:700;padding:.65rem 1.4rem;border:2px solid #0b3d6b;border-radius:4px;background:#0b3d6b;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b3d6b}
button[disabled]{opacity:.75;cursor:progress}
.has-error input,.has-error select,.has-error textarea{border-color:#b00020;border-width:3px}
.has-error{border-left:5px solid #b00020;padding-left:.75rem}
.error-text{color:#b00020;font-weight:600;margin:.15rem 0 .35rem}
.error-summary{border:4px solid #b00020;padding:1rem 1.25rem;margin:0 0 1.5rem}
.error-summary h2{margin-top:0;color:#b00020}
.error-summary a{color:#b00020;font-weight:600}
.confirmation{border:4px solid #00703c;padding:1rem 1.25rem;margin:1rem 0}
.confirmation h2{margin-top:0;color:#00703c}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.trc-hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
[hidden]{display:none!important}
details{margin:0 0 1rem}
summary{cursor:pointer;color:#0b57a4;font-weight:600}
dl.status dt{font-weight:700}
dl.status dd{margin:0 0 .6rem}
.notes .when{color:#4d4d4d;margin-bottom:.2rem}
`

/**
 * In-page submission: posts the form with fetch, shows field errors next to the fields and in the summary
 * (focus moves to the summary, each entry links to its field), or the confirmation (focus moves to it). Shows
 * the complaint section only for complaint types, the company fields only for non-domestic users. Inside an
 * iframe it tells the embedding page its height and the reference of a successful submission.
 */
export const FORM_JS = `(function () {
  'use strict';
  var form = document.getElementById('trc-form');
  var configNode = document.getElementById('trc-intake-config');
  if (!form || !configNode) return;
  var config = JSON.parse(configNode.textContent || '{}');
  var summary = document.getElementById('trc-error-summary');
  var confirmation = document.getElementById('trc-confirmation');
  var submit = document.getElementById('trc-submit');
  var submitLabel = submit.textContent;
  form.noValidate = true;

  function inFrame() { try { return window.parent !== window; } catch (e) { return true; } }
  function post(message) { if (inFrame()) window.parent.postMessage(message, '*'); }
  function reportHeight() { post({ type: 'trc-intake:height', height: document.documentElement.scrollHeight }); }
  if (inFrame()) {
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
    window.addEventListener('load', reportHeight);
  }

  var typeSelect = document.getElementById('field-type');
  var complaint = document.getElementById('trc-complaint');
  var nonDomestic = document.getElementById('field-nonDomestic');
  var company = document.getElementById('trc-company');
  function hasErrors(node) { return !!node.querySelector('.has-error'); }
  function syncSections() {
    var isComplaint = config.complaintTypes.indexOf(typeSelect.value) >= 0;
    complaint.hidden = !isComplaint && !hasErrors(complaint);
    company.hidden = !nonDomestic.checked && !hasErrors(company);
    var fiscal = document.getElementById('field-fiscalCode');
    if (isComplaint) fiscal.setAttribute('aria-required', 'true'); else fiscal.removeAttribute('aria-required');
  }
  typeSelect.addEventListener('change', syncSections);
  nonDomestic.addEventListener('change', syncSections);
  syncSections();

  var locate = document.getElementById('trc-geolocate');
  var locateStatus = document.getElementById('trc-geolocate-status');
  if (navigator.geolocation && locate) {
    locate.hidden = false;
    locate.addEventListener('click', function () {
      locateStatus.textContent = config.texts.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById('field-latitude').value = pos.coords.latitude.toFixed(6);
        document.getElementById('field-longitude').value = pos.coords.longitude.toFixed(6);
        locateStatus.textContent = config.texts.located;
      }, function () { locateStatus.textContent = config.texts.locateFailed; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  function describedBy(control, id, add) {
    var ids = (control.getAttribute('aria-describedby') || '').split(/\\s+/).filter(function (x) { return x && x !== id; });
    if (add) ids.push(id);
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' ')); else control.removeAttribute('aria-describedby');
  }
  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll('.field.has-error'), function (field) {
      var name = field.getAttribute('data-field');
      var control = document.getElementById('field-' + name);
      var error = document.getElementById('field-' + name + '-error');
      field.classList.remove('has-error');
      if (error) { error.hidden = true; error.querySelector('.msg').textContent = ''; }
      if (control) { control.removeAttribute('aria-invalid'); describedBy(control, 'field-' + name + '-error', false); }
    });
    summary.hidden = true;
  }
  function showErrors(message, fields) {
    var list = summary.querySelector('ul');
    list.textContent = '';
    Object.keys(fields || {}).forEach(function (name) {
      var control = document.getElementById('field-' + name);
      var error = document.getElementById('field-' + name + '-error');
      if (control && error) {
        error.querySelector('.msg').textContent = fields[name];
        error.hidden = false;
        control.closest('.field').classList.add('has-error');
        control.setAttribute('aria-invalid', 'true');
        describedBy(control, 'field-' + name + '-error', true);
      }
      var item = document.createElement('li');
      var link = document.createElement(control ? 'a' : 'span');
      link.textContent = fields[name];
      if (control) {
        link.href = '#field-' + name;
        link.addEventListener('click', function (event) { event.preventDefault(); control.focus(); });
      }
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.querySelector('.summary-message').textContent = message || '';
    summary.hidden = false;
    syncSections();
    summary.focus();
    reportHeight();
  }
  function showConfirmation(body) {
    document.getElementById('trc-reference').textContent = body.reference;
    document.getElementById('trc-status-link').href = body.statusUrl;
    var due = document.getElementById('trc-due');
    if (body.dueDate) {
      document.getElementById('trc-due-date').textContent = new Date(body.dueDate + 'T12:00:00Z').toLocaleDateString(config.locale === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome', day: 'numeric', month: 'long', year: 'numeric' });
    }
    due.hidden = !body.dueDate;
    form.hidden = true;
    summary.hidden = true;
    confirmation.hidden = false;
    confirmation.focus();
    reportHeight();
    post({ type: 'trc-intake:submitted', reference: body.reference });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearErrors();
    submit.disabled = true;
    submit.textContent = config.texts.sending;
    fetch(form.action, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (result) {
        if (result.status === 200 || result.status === 201) showConfirmation(result.body);
        else showErrors(result.body.message || config.texts.network, result.body.fields);
      }, function () { showErrors(config.texts.network, {}); })
      .then(function () { submit.disabled = false; submit.textContent = submitLabel; });
  });
})();
`

/**
 * The snippet for an operator's own site:
 * `<script src="https://erp.example.it/api/communications/intake/embed.js" data-lang="it" async></script>`
 * inserts the form in an iframe right after the script (or into `data-target`), sizes it to its content and fires
 * a `trc-intake-submitted` event (detail: { reference }) on the iframe when a request is sent.
 */
export const EMBED_JS = `(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var src = new URL(script.src, window.location.href);
  var base = src.href.replace(/\\/intake\\/embed\\.js(?:[?#].*)?$/, '');
  var lang = script.getAttribute('data-lang') || ((document.documentElement.lang || '').slice(0, 2) === 'en' ? 'en' : 'it');
  var iframe = document.createElement('iframe');
  iframe.src = base + '/intake/form?embed=1&lang=' + encodeURIComponent(lang);
  iframe.title = script.getAttribute('data-title') || (lang === 'en' ? 'Online counter: request form' : 'Sportello On-line: modulo di richiesta');
  iframe.setAttribute('style', 'display:block;width:100%;min-height:40rem;border:0');
  var targetSelector = script.getAttribute('data-target');
  var target = targetSelector ? document.querySelector(targetSelector) : null;
  if (target) target.appendChild(iframe); else script.parentNode.insertBefore(iframe, script.nextSibling);
  window.addEventListener('message', function (event) {
    if (event.source !== iframe.contentWindow || event.origin !== src.origin) return;
    var data = event.data || {};
    if (data.type === 'trc-intake:height' && data.height > 0) iframe.style.height = Math.ceil(data.height) + 'px';
    if (data.type === 'trc-intake:submitted') {
      iframe.scrollIntoView({ block: 'start' });
      iframe.dispatchEvent(new CustomEvent('trc-intake-submitted', { bubbles: true, detail: { reference: data.reference } }));
    }
  });
})();
`

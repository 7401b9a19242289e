// Shared look: the host's green, WCAG 2.1 AA contrast (text ≥ 4.5:1, controls and focus ≥ 3:1), visible focus.
import { css } from 'lit'

export const baseStyles = css`
  :host {
    --trc-text: #1a1a1a;
    --trc-muted: #4a5560;
    --trc-border: #c5ccd3;
    --trc-control: #6b7680;
    --trc-primary: #0b5d3b;
    --trc-primary-dark: #08452c;
    --trc-link: #0b4f8a;
    --trc-error: #a4000f;
    --trc-error-bg: #fdecee;
    --trc-ok: #0b5d3b;
    --trc-ok-bg: #e6f4ec;
    --trc-warn-text: #5c3d00;
    --trc-warn-bg: #fff4d6;
    --trc-focus: #1a5fb4;
    --trc-radius: 6px;
    color: var(--trc-text);
    font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    font-size: 15px;
    line-height: 1.45;
  }
  *, *::before, *::after { box-sizing: border-box; }
  [hidden] { display: none !important; }
  a { color: var(--trc-link); }
  :focus-visible { outline: 3px solid var(--trc-focus); outline-offset: 2px; }
  button, .button {
    font: inherit; display: inline-flex; align-items: center; gap: .35rem; min-height: 2.25rem;
    padding: .35rem .85rem; border-radius: 4px; border: 1px solid var(--trc-primary);
    background: var(--trc-primary); color: #fff; cursor: pointer; text-decoration: none; white-space: nowrap;
  }
  button:hover:not(:disabled), .button:hover { background: var(--trc-primary-dark); }
  button.secondary, .button.secondary { background: #fff; color: var(--trc-primary); }
  button.secondary:hover:not(:disabled), .button.secondary:hover { background: var(--trc-ok-bg); }
  button.secondary[aria-pressed="true"] { background: var(--trc-primary); color: #fff; }
  button.secondary[aria-pressed="true"]:hover:not(:disabled) { background: var(--trc-primary-dark); }
  .icon { width: 1.1em; height: 1.1em; vertical-align: -0.2em; flex: none; }
  button.link { background: none; border: 0; color: var(--trc-link); padding: .2rem 0; min-height: 0; text-decoration: underline; }
  button.link:hover:not(:disabled) { background: none; color: #062f54; }
  button:disabled { opacity: .6; cursor: not-allowed; }
  button.danger { background: #fff; color: var(--trc-error); border-color: var(--trc-error); }
  input, select, textarea {
    font: inherit; color: var(--trc-text); padding: .4rem .5rem; border: 1px solid var(--trc-control);
    border-radius: 4px; background: #fff; min-height: 2.25rem; max-width: 100%;
  }
  label { font-weight: 600; }
  .sr-only {
    position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
  .alert { padding: .6rem .8rem; border-radius: 4px; border: 1px solid; margin: .5rem 0; }
  .alert.error { background: var(--trc-error-bg); color: var(--trc-error); border-color: var(--trc-error); }
  .alert.ok { background: var(--trc-ok-bg); color: var(--trc-ok); border-color: var(--trc-ok); }
  .alert.warn { background: var(--trc-warn-bg); color: var(--trc-warn-text); border-color: #b07800; }
  .muted { color: var(--trc-muted); }
  .field { display: flex; flex-direction: column; gap: .25rem; margin: .5rem 0; }
  .field input, .field select, .field textarea { width: 100%; }
  .hint { font-size: .87rem; color: var(--trc-muted); font-weight: 400; }
`

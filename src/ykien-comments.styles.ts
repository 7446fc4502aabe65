import { css } from 'lit';

/**
 * After the "Ý kiến bạn đọc" box of provincial portals: a heading with an accent rule, stacked labelled
 * fields, the captcha, then a solid "send" and a quiet "clear". Colours meet WCAG AA in both themes.
 */
export const styles = css`
  :host {
    /* Each colour is light-dark(light, dark): the theme attribute only sets color-scheme. */
    --ykien-accent: light-dark(#b3261e, #ffb4ab);
    --ykien-accent-fg: light-dark(#fff, #690005);
    --ykien-bg: light-dark(#fff, #1b1b1f);
    --ykien-fg: light-dark(#1f1f1f, #e6e1e5);
    --ykien-muted: light-dark(#595959, #c4c0c7);
    --ykien-border: light-dark(#767676, #938f99);
    --ykien-surface: light-dark(#f5f5f5, #2b2a2f);
    --ykien-error: light-dark(#b3261e, #ffb4ab);
    --ykien-success: light-dark(#1e6b34, #8fd9a0);
    --ykien-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif;
    --ykien-radius: 6px;
    display: block;
    color: var(--ykien-fg);
    background: var(--ykien-bg);
    font: 1rem/1.5 var(--ykien-font);
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([theme='auto']) {
    color-scheme: light dark;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [part='base'] {
    padding: 1rem 0;
  }
  h2 {
    margin: 0 0 1rem;
    padding-bottom: 0.4rem;
    border-bottom: 2px solid var(--ykien-accent);
    font-size: 1.25rem;
    line-height: 1.3;
  }
  form {
    display: grid;
    gap: 0.9rem;
    margin: 0;
  }
  .field {
    display: grid;
    gap: 0.3rem;
  }
  label {
    font-weight: 600;
  }
  .required {
    color: var(--ykien-muted);
    font-weight: 400;
    font-size: 0.875em;
  }
  input,
  textarea {
    width: 100%;
    min-height: 2.75rem;
    padding: 0.55rem 0.7rem;
    font: inherit;
    color: inherit;
    background: var(--ykien-bg);
    border: 1px solid var(--ykien-border);
    border-radius: var(--ykien-radius);
  }
  textarea {
    min-height: 8rem;
    resize: vertical;
    white-space: pre-wrap;
  }
  [aria-invalid='true'] {
    border-color: var(--ykien-error);
    box-shadow: 0 0 0 1px var(--ykien-error);
  }
  :focus-visible {
    outline: 2px solid var(--ykien-accent);
    outline-offset: 2px;
  }
  .meta {
    display: flex;
    justify-content: space-between;
    gap: 1rem;
    font-size: 0.875rem;
    color: var(--ykien-muted);
  }
  .counter {
    margin-left: auto;
    font-variant-numeric: tabular-nums;
  }
  .counter.over {
    color: var(--ykien-error);
    font-weight: 600;
  }
  [part~='error'] {
    margin: 0;
    color: var(--ykien-error);
    font-size: 0.875rem;
    white-space: pre-wrap;
  }
  [part~='error']:empty {
    display: none;
  }
  .captcha {
    display: grid;
    gap: 0.4rem;
    justify-items: start;
  }
  .captcha-label {
    font-weight: 600;
  }
  button {
    min-height: 2.75rem;
    min-width: 2.75rem;
    padding: 0.5rem 1.1rem;
    font: inherit;
    font-weight: 600;
    border-radius: var(--ykien-radius);
    border: 1px solid var(--ykien-accent);
    cursor: pointer;
  }
  button:disabled {
    cursor: progress;
    opacity: 0.75;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: center;
  }
  [part~='submit'] {
    color: var(--ykien-accent-fg);
    background: var(--ykien-accent);
  }
  [part~='reset'],
  .secondary {
    color: var(--ykien-fg);
    background: transparent;
    border-color: var(--ykien-border);
  }
  .link {
    min-height: 1.5rem;
    min-width: 1.5rem;
    padding: 0.125rem 0;
    border: 0;
    background: none;
    color: inherit;
    font-weight: 400;
    font-size: 0.875rem;
    text-decoration: underline;
  }
  [part~='status'] {
    min-height: 1.5rem;
    margin: 0;
    white-space: pre-wrap;
  }
  [part~='status'][data-kind='success'] {
    color: var(--ykien-success);
    font-weight: 600;
  }
  [part~='status'][data-kind='error'] {
    color: var(--ykien-error);
    font-weight: 600;
  }
  [part~='outbox'] {
    margin-top: 1.25rem;
    padding: 0.75rem 1rem;
    background: var(--ykien-surface);
    border-radius: var(--ykien-radius);
  }
  [part~='outbox'] h3 {
    margin: 0 0 0.5rem;
    font-size: 1rem;
  }
  [part~='outbox'] ul {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.75rem;
  }
  .unsent-text {
    margin: 0.25rem 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .unsent-state {
    font-size: 0.875rem;
    color: var(--ykien-muted);
  }
  a {
    color: inherit;
  }
`;

import { css, unsafeCSS } from 'lit';
import { RESERVED_HEIGHT } from '../reserved-height.js';

/**
 * After the "Ý kiến bạn đọc" box of provincial portals: a heading with an accent rule, stacked labelled
 * fields, the captcha, then a solid "send" and a quiet "clear". Each colour is light-dark(light, dark),
 * AA in both; the theme attribute only sets color-scheme. Buttons and fields are 44 px tall, the small
 * text buttons 24 px (WCAG 2.2 target size).
 */
/** Each colour's [light, dark] pair. */
const PALETTE: Record<string, [string, string]> = {
  accent: ['#b3261e', '#ffb4ab'],
  'accent-fg': ['#fff', '#690005'],
  bg: ['#fff', '#1b1b1f'],
  fg: ['#1f1f1f', '#e6e1e5'],
  muted: ['#595959', '#c4c0c7'],
  border: ['#767676', '#938f99'],
  error: ['#b3261e', '#ffb4ab'],
  success: ['#1e6b34', '#8fd9a0'],
  divider: ['#d0d0d0', '#49454f'],
  'reply-bg': ['#f4f1ec', '#2b2930'],
};
/**
 * Our defaults, under names of their own (`--_ykien-*`), each read as `var(--ykien-x, var(--_ykien-x))`:
 * a site's `--ykien-*` counts wherever it is set, on the element, above it (`:root`, a dark-mode class on
 * <html>), as design tokens are, or on a part. Set on :host under the public names, ours would hide every
 * value inherited from above.
 */
const colours = (pick: (pair: [string, string]) => string, but?: string) =>
  unsafeCSS(Object.entries(PALETTE).map(([name, pair]) => (name == but ? '' : `--_ykien-${name}:var(--ykien-${name},${pick(pair)});`)).join(''));
const light = colours(([l]) => l);
const dark = colours(([, d]) => d);

export const styles = css`
  :host {
    ${colours(([l, d]) => `light-dark(${l},${d})`, 'muted')}
    /* Dates and hints: the text's own colour, faded, readable on whatever background the text is (a site's
       own dark one too, given without a theme); the pair is for browsers without light-dark(), below. */
    --_ykien-muted: var(--ykien-muted, color-mix(in srgb, currentcolor 75%, transparent));
    --_ykien-font: var(--ykien-font, system-ui, sans-serif);
    --_ykien-radius: var(--ykien-radius, 6px);
    display: block;
    color: var(--ykien-fg,var(--_ykien-fg));
    background-color: var(--ykien-bg,var(--_ykien-bg));
    /* The reader's own text size, not the page's root one (rem): portals on Bootstrap 3 set html to 10px. */
    font: medium/1.5 var(--ykien-font,var(--_ykien-font));
    /* What an article's body passes down (justified, indented, spaced, capitals) is not the box's;
       a rule on the element itself still wins over these. */
    text-align: start;
    text-indent: 0;
    letter-spacing: normal;
    word-spacing: normal;
    text-transform: none;
    white-space: normal;
    word-break: normal;
    text-align-last: auto;
    hyphens: manual;
    text-shadow: none;
    -webkit-text-fill-color: currentcolor;
    color-scheme: light;
  }
  /* A site's --ykien-fg and --ykien-font again inside, where a portal's \`* { color: #333; font-family:
     Tahoma }\` (which beats :host) does not reach; unset, what the box has from its host (a site's own
     \`ykien-comments { color; font }\` included: a var() without a value inherits). In a theme the box
     picks, its own text colour: the page's, on the theme's background, could be unreadable. */
  [part~='base'] {
    color: var(--ykien-fg);
    font-family: var(--ykien-font);
  }
  :host([theme='dark' i]) [part~='base'],
  :host([theme='auto' i]) [part~='base'] {
    color: var(--ykien-fg,var(--_ykien-fg));
  }
  /* The room kept while the list loads: on screen only (a printed article gets no blank page). */
  @media screen {
    :host(:state(loading)),
    :host(:state(held)) {
      min-height: ${unsafeCSS(RESERVED_HEIGHT)};
    }
    /* No :state() (Firefox before 126, Safari before 17.4, Chromium before 125): the same, told by an attribute. */
    :host([data-ykien-state~='loading']),
    :host([data-ykien-state~='held']) {
      min-height: ${unsafeCSS(RESERVED_HEIGHT)};
    }
  }
  :host([theme='dark' i]) {
    color-scheme: dark;
  }
  :host([theme='auto' i]) {
    color-scheme: light dark;
  }
  /* Chromium before 123, Firefox before 120, Safari before 17.5: the pairs' halves, as the theme picks. */
  @supports not (color: light-dark(#000, #fff)) {
    :host {
      ${light}
    }
    :host([theme='dark' i]) {
      ${dark}
    }
    @media (prefers-color-scheme: dark) {
      :host([theme='auto' i]) {
        ${dark}
      }
    }
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
    font: inherit;
    color: inherit;
  }
  h2 {
    margin: 0 0 0.8em;
    padding-bottom: 0.32em;
    border-bottom: 2px solid;
    border-bottom-color: var(--ykien-accent,var(--_ykien-accent));
    font-size: 1.25em;
    font-weight: 700;
  }
  h3,
  label,
  .captcha-label {
    margin: 0;
    font-weight: 600;
  }
  form,
  ul,
  div {
    display: grid;
    gap: 0.4em;
    margin: 0;
    padding: 0;
  }
  form {
    gap: 1em;
  }
  /*
   * A keystroke changes a field's text. Chromium then lays out the field and every box above it,
   * unless the field is a layout boundary: its size and layout contained (so its height is set: one
   * line, and the six rows of rows="6"), and its parent not a grid (a grid lays out its items
   * together), hence the block around each field. A keystroke's layout is then about a third shorter
   * (docs/performance.md, "Typing").
   */
  input,
  textarea {
    display: block;
    contain: size layout;
    width: 100%;
    height: calc(2.5em + 2px);
    min-height: 2.75em;
    padding: 0.5em 0.7em;
    /* What paints its own background writes in its partner: a site's light text on a box it painted dark
       (no theme, no --ykien-bg) would be unreadable on the field's own. */
    color: var(--ykien-fg,var(--_ykien-fg));
    background-color: var(--ykien-bg,var(--_ykien-bg));
    border: 1px solid;
    border-color: var(--ykien-border,var(--_ykien-border));
    border-radius: var(--ykien-radius,var(--_ykien-radius));
  }
  textarea {
    height: calc(10em + 2px);
    min-height: 8em;
    resize: vertical;
  }
  .field,
  label {
    display: block;
  }
  .field > * + * {
    margin-top: 0.4em;
  }
  [aria-invalid='true'] {
    border-color: var(--ykien-error,var(--_ykien-error));
    box-shadow: 0 0 0 1px var(--ykien-error,var(--_ykien-error));
  }
  /* Forced colours drop the shadow and the colour: a marked field keeps a mark of its own. */
  @media (forced-colors: active) {
    [aria-invalid='true'] {
      border: 4px double;
    }
  }
  :focus-visible {
    outline: 2px solid;
    outline-color: var(--ykien-accent,var(--_ykien-accent));
    outline-offset: 2px;
  }
  p {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  /* An unsent comment's article named by its address (it had no title): a long ?utm… wraps at 320 px. */
  a {
    overflow-wrap: anywhere;
  }
  .meta,
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75em;
    align-items: center;
  }
  small,
  [part~='error'] {
    font-size: 0.875em;
    color: var(--ykien-muted,var(--_ykien-muted));
  }
  /* "No comments yet" while the reader's own are read back: its place kept, neither seen nor read. */
  .not-yet {
    visibility: hidden;
  }
  /* Read by screen readers, not shown: the counter in words. */
  .spoken {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  /* Logical sides: on a right-to-left page the counter and the reply's rule are on the other side. */
  [part~='counter'] {
    margin-inline-start: auto;
  }
  .over,
  [part~='error'],
  [part~='list-error'] p,
  [data-kind='error'] {
    color: var(--ykien-error,var(--_ykien-error));
    font-weight: 600;
  }
  [part~='error']:empty {
    display: none;
  }
  [data-kind='success'] {
    color: var(--ykien-success,var(--_ykien-success));
    font-weight: 600;
  }
  button {
    min-height: 2.75em;
    padding: 0.5em 1.1em;
    font-weight: 600;
    background: none;
    border: 1px solid;
    border-color: var(--ykien-border,var(--_ykien-border));
    border-radius: var(--ykien-radius,var(--_ykien-radius));
    cursor: pointer;
  }
  [part~='submit'] {
    color: var(--ykien-accent-fg,var(--_ykien-accent-fg));
    background-color: var(--ykien-accent,var(--_ykien-accent));
    border-color: var(--ykien-accent,var(--_ykien-accent));
  }
  button:disabled,
  [aria-disabled='true'] {
    cursor: progress;
    /* Still 4.5:1 for the send button's text (the keyboard stays on it while it sends). */
    opacity: 0.85;
  }
  .link {
    justify-self: start;
    /* 24 px of the box's 16: a target of WCAG 2.2's size at the link's smaller text. */
    min-height: calc(1.5em / 0.875);
    padding: 0;
    border: 0;
    font-weight: 400;
    font-size: 0.875em;
    text-decoration: underline;
  }
  [part~='outbox'] {
    margin-top: 1.25em;
    padding: 0.75em 1em;
    border: 1px dashed;
    border-color: var(--ykien-border,var(--_ykien-border));
    border-radius: var(--ykien-radius,var(--_ykien-radius));
  }
  li {
    list-style: none;
    padding: 0.5em 0;
  }
  .list {
    margin-bottom: 1.5em;
  }
  /* "No more comments", shown: close under the list it speaks of, apart from a form after it (none
     after it with form-position="top"). */
  #list-status:not(.spoken) {
    margin-top: -0.75em;
  }
  #list-status:not(.spoken) + form {
    margin-top: 1.5em;
  }
  ol {
    margin: 0;
    padding: 0;
  }
  ol > li {
    padding: 0.9em 0;
    border-bottom: 1px solid;
    border-bottom-color: var(--ykien-divider,var(--_ykien-divider));
  }
  article {
    display: grid;
    gap: 0.4em;
    min-width: 0;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.25em 0.75em;
  }
  h3[part~='comment-name'] {
    font-size: 1em;
    unicode-bidi: isolate;
    overflow-wrap: anywhere;
  }
  [part~='comment-date'],
  [part~='reply-date'],
  [part~='comment-pending'] {
    font-size: 0.875em;
    color: var(--ykien-muted,var(--_ykien-muted));
  }
  [part~='comment-pending'] {
    padding: 0 0.57em;
    border: 1px solid;
    border-color: var(--ykien-border,var(--_ykien-border));
    border-radius: 999px;
  }
  [part~='comment-content'],
  [part~='comment-reply'] p {
    unicode-bidi: plaintext;
  }
  [part~='comment-reply'] {
    gap: 0.2em;
    margin-top: 0.3em;
    padding: 0.6em 0.8em;
    color: var(--ykien-fg,var(--_ykien-fg));
    background-color: var(--ykien-reply-bg,var(--_ykien-reply-bg));
    border-inline-start: 3px solid;
    border-inline-start-color: var(--ykien-accent,var(--_ykien-accent));
    border-radius: var(--ykien-radius,var(--_ykien-radius));
    border-start-start-radius: 0;
    border-end-start-radius: 0;
  }
  .reply-label {
    font-weight: 700;
    font-size: 0.875em;
  }
  [part~='reply-date'] {
    margin-inline-start: 0.25em;
    font-weight: 400;
    font-size: 1em;
  }
  .loading {
    min-height: 6em;
    color: var(--ykien-muted,var(--_ykien-muted));
  }
  [part~='more'] {
    justify-self: start;
    margin-top: 0.75em;
  }
  /* hCaptcha's place, kept before it comes (at the reader's first focus, over a phone's network: "Gửi
     bình luận" must not drop under a finger reaching for it): its normal 78 px. (Its compact form, in a
     column under 310 px, grows it by 66 px: knowing that before it comes would take a container query,
     whose containment would shrink a captcha part a site sizes to its content.) A block, without the
     line's descender space under hCaptcha's frame. */
  slot[name='captcha'] {
    display: block;
    min-height: 78px;
  }
  ::slotted(h-captcha) {
    display: block;
    line-height: 0;
  }
  /* "Verified" after a move keeps the height of hCaptcha's widget, which takes its place later. */
  ::slotted(span) {
    display: flex;
    align-items: center;
    min-height: 78px;
  }
  /* Last, over the rules above: a printed article keeps what readers said, not a form to fill in or buttons to press. */
  @media print {
    form,
    [part~='more'],
    [part~='loading'],
    [part~='outbox'] {
      display: none;
    }
  }
`;

import { css } from 'lit';

/** The widget's house style: system fonts, portal red, 8px corners, light surfaces. Contrast meets AA. */
export const styles = css`
  :host {
    --accent: #b3261e;
    --accent-dark: #8c1d17;
    --accent-fg: #ffffff;
    --fg: #1c1c1c;
    --muted: #555555;
    --line: #d9dde3;
    --surface: #ffffff;
    --bg: #f4f5f7;
    --ok: #1e6b34;
    --radius: 8px;
    display: block;
    min-height: 100vh;
    background: var(--bg);
    color: var(--fg);
    font: 1rem/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .inner {
    max-width: 60rem;
    margin: 0 auto;
    padding: 0 1rem;
  }
  .bar {
    background: var(--accent);
    color: var(--accent-fg);
    border-bottom: 3px solid #f6c343;
  }
  .bar .inner {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 1rem;
    min-height: 3.5rem;
  }
  h1 {
    margin: 0;
    font-size: 1.25rem;
  }
  h1:focus {
    outline: none;
  }
  main {
    padding-bottom: 3rem;
  }
  .card {
    background: var(--surface);
    border: 1px solid var(--line);
    border-radius: var(--radius);
    padding: 1rem;
    margin: 1rem 0;
  }
  .signin {
    max-width: 28rem;
    margin: 2rem auto;
    display: grid;
    gap: 0.5rem;
  }
  label {
    font-weight: 600;
  }
  input,
  textarea {
    font: inherit;
    padding: 0.5rem 0.75rem;
    border: 1px solid #767676;
    border-radius: var(--radius);
  }
  .help {
    margin: 0;
    color: var(--muted);
    font-size: 0.875rem;
  }
  button {
    font: inherit;
    font-weight: 600;
    min-height: 2.5rem;
    padding: 0.375rem 1rem;
    border-radius: var(--radius);
    border: 1px solid var(--accent);
    cursor: pointer;
  }
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.55;
    cursor: progress;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  a:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid #0b57d0;
    outline-offset: 2px;
  }
  .primary {
    background: var(--accent);
    color: var(--accent-fg);
  }
  .primary:hover:not(:disabled, [aria-disabled='true']) {
    background: var(--accent-dark);
  }
  .quiet {
    background: var(--surface);
    color: var(--accent);
  }
  .quiet.on-accent {
    border-color: var(--accent-fg);
  }
  .danger {
    background: var(--surface);
    color: var(--fg);
    border-color: #767676;
  }
  .danger:hover:not(:disabled, [aria-disabled='true']) {
    border-color: var(--accent);
    color: var(--accent);
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    margin-top: 1rem;
  }
  .tabs {
    display: flex;
    gap: 0.25rem;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .tab {
    background: transparent;
    color: var(--fg);
    border-color: var(--line);
  }
  .tab[aria-pressed='true'] {
    background: var(--accent);
    color: var(--accent-fg);
    border-color: var(--accent);
  }
  .status {
    margin: 0.75rem 0 0;
    min-height: 1.5em;
    color: var(--ok);
  }
  /* The feedback (the notice, the undo, failures) pins to the window's top while it holds an undo or a
     failure: decided far down a long list (on a phone above all), the editor still sees what happened
     and can take it back. What the keyboard moves to in the list scrolls clear of it. */
  .feedback.pinned {
    position: sticky;
    top: 0;
    z-index: 2;
    max-height: 50vh;
    overflow: auto;
    background: var(--bg);
    padding-bottom: 0.5rem;
    border-bottom: 1px solid var(--line);
  }
  .feedback.pinned .undo {
    margin: 0.25rem 0 0;
  }
  /* Its height, measured (admin-app.ts, measurePinned): 0 while it is not pinned. */
  main * {
    scroll-margin-top: calc(var(--pinned-height, 0px) + 0.5rem);
  }
  .error {
    margin: 0.5rem 0 0;
    padding: 0.5rem 0.75rem;
    border-left: 4px solid var(--accent);
    background: #fdecea;
    color: #6b1510;
    border-radius: 0 var(--radius) var(--radius) 0;
  }
  .empty {
    color: var(--muted);
    margin: 2rem 0;
    text-align: center;
  }
  .article h2 {
    margin: 0;
    padding-bottom: 0.4rem;
    border-bottom: 2px solid var(--accent);
    font-size: 1.0625rem;
    line-height: 1.35;
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 0.5rem;
    overflow-wrap: anywhere;
  }
  .article h2 a {
    color: var(--fg);
  }
  .article h2 a:hover {
    color: var(--accent);
  }
  .count {
    font-size: 0.875rem;
    font-weight: 400;
    color: var(--muted);
    white-space: nowrap;
  }
  .page-id {
    margin: 0.25rem 0 0;
    font-size: 0.8125rem;
    color: var(--muted);
    overflow-wrap: anywhere;
  }
  .comments {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .comment {
    background: var(--surface);
    border: 1px solid var(--line);
    border-left: 4px solid var(--line);
    border-radius: var(--radius);
    padding: 0.75rem 1rem;
    margin: 0.75rem 0;
  }
  .comment.current {
    border-left-color: var(--accent);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.12);
  }
  .meta {
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: baseline;
  }
  .name {
    font-weight: 700;
    overflow-wrap: anywhere;
  }
  time,
  .edited {
    color: var(--muted);
    font-size: 0.875rem;
  }
  .content {
    margin: 0.375rem 0 0.625rem;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .more {
    display: block;
    margin: 1rem auto;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  /* A heading the keyboard is sent to (the last card decided, back from the log) shows while it has
     focus: a sighted keyboard user would otherwise see no focus anywhere. Over what is there, not in the
     flow: taking room as it shows, and giving it back as a click elsewhere takes focus (on mousedown),
     would move the button under the pointer before the click lands. */
  .visually-hidden:focus {
    z-index: 1;
    width: auto;
    height: auto;
    margin: 0;
    padding: 0.25rem 0.5rem;
    overflow: visible;
    clip: auto;
    color: var(--fg);
    background: var(--surface);
  }
  .views {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.75rem;
  }
  .views a {
    color: var(--accent-fg);
    font-weight: 600;
  }
  .views a[aria-current='page'] {
    text-decoration-thickness: 3px;
  }
  .bar a:focus-visible,
  .bar button:focus-visible {
    outline-color: #ffffff;
  }
  kbd {
    font: 0.875em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    padding: 0 0.3em;
    border: 1px solid currentColor;
    border-radius: 4px;
  }
  .badge {
    display: inline-block;
    min-width: 1.5em;
    padding: 0 0.4em;
    border-radius: 999px;
    background: var(--bg);
    color: var(--fg);
    font-size: 0.875rem;
    text-align: center;
  }
  .search {
    display: grid;
    /* minmax(0, …): the field and its button shrink to a 360 px phone instead of pushing past it */
    grid-template-columns: minmax(0, 1fr);
    gap: 0.25rem;
    margin: 1rem 0 0;
  }
  .row {
    display: flex;
    gap: 0.5rem;
  }
  .row input {
    flex: 1;
    min-width: 0;
  }
  .chip {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    margin: 0.25rem 0 0;
    overflow-wrap: anywhere; /* a title with no break in it (a URL) must not push the page sideways */
  }
  /* The log's moderator and comment fields: side by side where they fit, one under the other on a phone. */
  .narrow {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 16rem), 1fr));
    gap: 0.5rem 0.75rem;
    margin: 0.5rem 0 0.25rem;
  }
  .field {
    display: grid;
    align-content: start;
    gap: 0.25rem;
    min-width: 0;
  }
  .small {
    min-height: 2rem;
    padding: 0.125rem 0.75rem;
  }
  .bulkbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.75rem;
    margin: 1rem 0 0;
  }
  .check {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 2.5rem;
  }
  input[type='checkbox'] {
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    accent-color: var(--accent);
  }
  .meta h4 {
    margin: 0;
    font-size: 1rem;
  }
  .article-line {
    margin: 0.25rem 0 0;
    font-size: 0.9375rem;
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.5rem;
    overflow-wrap: anywhere;
  }
  .article-line a {
    color: var(--fg);
  }
  .label {
    color: var(--muted);
  }
  .link {
    min-height: 1.5rem;
    padding: 0 0.25rem;
    border: 0;
    background: none;
    color: var(--accent);
    text-decoration: underline;
    font-weight: 400;
    font-size: 0.875rem;
  }
  .reply {
    margin: 0 0 0.625rem;
    padding: 0.5rem 0.75rem;
    border-left: 4px solid var(--ok);
    background: #eef6f0;
    border-radius: 0 var(--radius) var(--radius) 0;
  }
  .reply-label {
    margin: 0;
    font-weight: 700;
    color: var(--ok);
  }
  .reply .content {
    margin: 0.25rem 0 0;
  }
  /* Another moderator's version, beside the form that still holds this one's text. */
  .theirs {
    padding: 0.5rem 0.75rem;
    border-left: 4px solid #9a5b00;
    background: #fff7e6;
    border-radius: 0 var(--radius) var(--radius) 0;
  }
  .theirs .reply-label {
    color: inherit;
  }
  .theirs p {
    margin: 0.25rem 0 0;
    white-space: pre-wrap;
  }
  .edit {
    display: grid;
    gap: 0.375rem;
    margin: 0.5rem 0;
  }
  .form-title {
    margin: 0;
    font-weight: 700;
  }
  textarea {
    resize: vertical;
    padding: 0.5rem 0.75rem;
    border: 1px solid #767676;
    border-radius: var(--radius);
  }
  .history {
    margin-top: 0.75rem;
    padding-top: 0.5rem;
    border-top: 1px dashed var(--line);
    font-size: 0.9375rem;
  }
  .history ol {
    margin: 0;
    padding-left: 1.25rem;
  }
  .history li {
    margin: 0.25rem 0;
  }
  .history li > * + * {
    margin-left: 0.5rem;
  }
  .change {
    margin: 0.25rem 0 0;
  }
  .change dt {
    font-weight: 600;
  }
  .change dd {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  del {
    color: #6b1510;
  }
  ins {
    color: var(--ok);
    text-decoration: none;
  }
  .table-wrap {
    overflow-x: auto;
    padding: 0;
  }
  .audit {
    width: 100%;
    border-collapse: collapse;
  }
  .audit th,
  .audit td {
    text-align: left;
    vertical-align: top;
    padding: 0.5rem 0.75rem;
    border-bottom: 1px solid var(--line);
  }
  .audit tbody th {
    font-weight: 400;
    white-space: nowrap;
  }
  .audit .who .link {
    padding: 0;
    font-size: inherit;
    text-align: start;
  }
  .audit .name {
    font-weight: 700;
    margin-right: 0.5rem;
  }
  h2#view-heading:not(.visually-hidden) {
    margin: 1rem 0 0;
    font-size: 1.25rem;
  }
  dialog {
    max-width: min(36rem, calc(100vw - 2rem));
    border: 1px solid var(--line);
    border-radius: var(--radius);
    padding: 1.25rem;
    color: var(--fg);
    background: var(--surface);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  dialog h2 {
    margin: 0 0 0.5rem;
    font-size: 1.25rem;
  }
  .keys {
    margin: 0.75rem 0 1rem;
    display: grid;
    gap: 0.375rem;
  }
  .keys div {
    display: grid;
    grid-template-columns: 6rem 1fr;
    gap: 0.75rem;
  }
  .keys dd {
    margin: 0;
  }
  /*
   * Forced colours (Windows high contrast) replace every colour and drop shadows: the pressed tab (its
   * fill) and the current comment (its border's colour and shadow) would look like the others. Shape
   * keeps them apart: a thicker border in the system's Highlight, and an underline on the tab. The
   * padding gives back what the border takes, so nothing moves when the selection does.
   */
  @media (forced-colors: active) {
    .tab[aria-pressed='true'] {
      border: 3px solid Highlight;
      padding: calc(0.375rem - 2px) calc(1rem - 2px);
      text-decoration: underline 2px;
      text-underline-offset: 0.2em;
    }
    .comment.current {
      border: 3px solid Highlight;
      border-left-width: 8px;
      padding: calc(0.75rem - 2px) calc(1rem - 2px) calc(0.75rem - 2px) calc(1rem - 4px);
    }
  }
`;

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
  input {
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
  button:disabled {
    opacity: 0.55;
    cursor: progress;
  }
  button:focus-visible,
  input:focus-visible,
  a:focus-visible {
    outline: 3px solid #0b57d0;
    outline-offset: 2px;
  }
  .primary {
    background: var(--accent);
    color: var(--accent-fg);
  }
  .primary:hover:not(:disabled) {
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
  .danger:hover:not(:disabled) {
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
    padding: 0.75rem 0;
    border-bottom: 1px solid var(--line);
  }
  .comment:last-child {
    border-bottom: 0;
    padding-bottom: 0;
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
  time {
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
`;

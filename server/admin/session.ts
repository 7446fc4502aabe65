/**
 * What /admin keeps in this tab's sessionStorage: the moderator's token (gone with the tab), and an open
 * form's text when the server signed the editor out (a 401: the token revoked, the moderators file
 * unreadable for a moment), put back in its form once they sign in again. Storage refused (a private
 * mode, a locked-down browser): the token lives in memory only, and nothing is kept.
 */
const TOKEN_KEY = 'ykien-admin-token';
const FORM_KEY = 'ykien-admin-form';

export interface KeptForm {
  id: string;
  kind: 'edit' | 'reply';
  /** Each field's value by its element id. */
  values: Record<string, string>;
}

function write(key: string, value: string | null): void {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    /* storage disabled: nothing to keep it in */
  }
}

export function readToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

/** '' forgets it. */
export const writeToken = (token: string): void => write(TOKEN_KEY, token);

/** null forgets it. */
export const keepForm = (f: KeptForm | null): void => write(FORM_KEY, f && JSON.stringify(f));

export function keptForm(): KeptForm | null {
  try {
    const f = JSON.parse(sessionStorage.getItem(FORM_KEY) ?? 'null') as KeptForm | null;
    return f && typeof f.id === 'string' && (f.kind === 'edit' || f.kind === 'reply') && typeof f.values === 'object' ? f : null;
  } catch {
    return null;
  }
}

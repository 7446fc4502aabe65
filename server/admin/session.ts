/**
 * What /admin keeps in this tab's sessionStorage: the moderator's token (gone with the tab), and an open
 * form's text: as it is typed (a phone's browser may discard a tab in the background, or reload it, and
 * ask nothing), and when the server signed the editor out (a 401: the token revoked). It is put back in
 * its form once the same editor is signed in there again (whoOf: a token made again for them is another,
 * and does not get it). Storage refused (a private mode, a locked-down browser): the token lives in
 * memory only, and nothing is kept.
 */
import type { AdminComment } from './admin-api.js';

const TOKEN_KEY = 'ykien-admin-token';
const FORM_KEY = 'ykien-admin-form';

export interface KeptForm {
  id: string;
  kind: 'edit' | 'reply';
  /** Each field's value by its element id. */
  values: Record<string, string>;
  /**
   * The comment as the form started from it: a field the moderator left as it was is not put back over
   * another moderator's change, and the save names this version, so the server tells of theirs (409).
   */
  base?: Pick<AdminComment, 'name' | 'content' | 'editedAt' | 'reply'>;
  /**
   * Its comment's status as the form was typed: found under that status later, it was not moved by
   * anyone, only listed elsewhere (the page came back on another tab, "Chờ duyệt").
   */
  status?: string;
  /** Whose it is (whoOf the token it was typed under): it comes back to that token only. */
  who?: string;
  /**
   * Kept as it was typed by the page with this id (THIS_PAGE), whose open form is the text's own copy:
   * that page does not reopen it. Any other page (the tab reloaded, or discarded and brought back) does.
   */
  typedBy?: string;
}

/** This page's id among the pages the tab has had (a reload is another). */
export const THIS_PAGE = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`;

/**
 * Who a token signs in, as far as this page can tell without asking: a named moderator's token is
 * `salt.secret`, and its salt names its line in the moderators file; any other token is the admin
 * token. Not the secret: sessionStorage keeps only what tells one editor's text from another's.
 */
const whoOf = (token: string): string => {
  // A named moderator's salt is 16 random bytes in base64url: an admin token that happens to hold a dot
  // is not taken for one, and no part of it is kept.
  const salt = /^([A-Za-z0-9_-]{22})\./.exec(token)?.[1];
  return salt ? `moderator ${salt}` : 'admin';
};

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

const isKeptForm = (f: unknown): f is KeptForm => {
  const k = f as KeptForm | null;
  return !!k && typeof k.id === 'string' && (k.kind === 'edit' || k.kind === 'reply') && typeof k.values === 'object' && k.values !== null;
};
const sameForm = (a: Pick<KeptForm, 'id' | 'kind'>) => (b: KeptForm) => a.id === b.id && a.kind === b.kind;

/**
 * The forms kept across sign-outs, oldest first: one a second sign-out interrupts joins one still
 * waiting. Only those typed under the token signed in now: another editor signing in at this desk
 * (the first one's token revoked) neither sees nor saves them (they are forgotten with the next kept).
 */
export function keptForms(): KeptForm[] {
  const me = whoOf(readToken());
  return allKept().filter((f) => f.who === me);
}

/** Every kept form in the tab, whoever's. */
function allKept(): KeptForm[] {
  try {
    const raw: unknown = JSON.parse(sessionStorage.getItem(FORM_KEY) ?? '[]');
    return (Array.isArray(raw) ? raw : [raw]).filter(isKeptForm);
  } catch {
    return [];
  }
}

/** Keeps `f` beside the others (in place of an older one of the same comment and kind). */
export const keepForm = (f: KeptForm): void =>
  write(FORM_KEY, JSON.stringify([...keptForms().filter((k) => !sameForm(f)(k)), { ...f, who: whoOf(readToken()) }]));

/** The kept form of that comment and kind, if any. */
export const keptFormOf = (f: Pick<KeptForm, 'id' | 'kind'>): KeptForm | undefined => keptForms().find(sameForm(f));

/** Keeps only the kept forms `keep` says yes to (writes only when that drops some). */
function keepOnly(keep: (f: KeptForm) => boolean): void {
  const all = allKept();
  const rest = all.filter(keep);
  if (rest.length < all.length) write(FORM_KEY, rest.length ? JSON.stringify(rest) : null);
}

/** Forgets the forms kept under another token than the one signed in now (they never come back to it). */
export function dropOthersKept(): void {
  const me = whoOf(readToken());
  keepOnly((f) => f.who === me);
}

/** Forgets what this page kept of that form as it was typed (not text kept by a sign-out or a failed save). */
export const dropTyped = (f: Pick<KeptForm, 'id' | 'kind'>): void => keepOnly((k) => !(sameForm(f)(k) && k.typedBy === THIS_PAGE));

/** Forgets every kept form. */
export const dropAllKept = (): void => write(FORM_KEY, null);

/**
 * Forgets the kept form of that comment and kind (saved, or its comment gone), and only that: called
 * after a sign-out too (a save's answer coming late), when no token says whose the others are.
 */
export const dropKept = (f: Pick<KeptForm, 'id' | 'kind'>): void => keepOnly((k) => !sameForm(f)(k));

/**
 * The moderation API as the page uses it. Same origin, bearer token, no cookies.
 * The API base is found relative to the page, so the page also works behind a path prefix.
 *
 * Answers are read defensively: fields this page can do without (counts, reply, the audit's before
 * and after) may be missing on an older server, and the page then simply does not show them.
 */
export type Status = 'pending' | 'published' | 'rejected';
export const STATUSES: readonly Status[] = ['pending', 'published', 'rejected'];

export interface Reply {
  text: string;
  at: string;
}

export interface AdminComment {
  id: string;
  pageId: string;
  pageUrl: string;
  pageTitle: string;
  name: string;
  content: string;
  /** The language the reader wrote in ('' unknown; absent from a server before it kept one). */
  lang?: string;
  status: Status;
  createdAt: string;
  moderatedAt: string | null;
  reply?: Reply | null;
  /** True once a moderator changed the name or content. */
  edited?: boolean;
  /** When a moderator last changed them (null: never); sent back with an edit, to catch a second editor. */
  editedAt?: string | null;
}

export type Counts = Record<Status, number>;

export interface AdminPage {
  items: AdminComment[];
  next: string | null;
  counts?: Counts;
}

/** The part of a comment a decision changed (all of it for a delete). */
export interface AuditState {
  status?: string;
  name?: string;
  content?: string;
  reply?: string | null;
  /** An edit took the reader's words out of the log (docs/api.md, "redact"). */
  redacted?: boolean;
}

export interface AuditEntry {
  at: string;
  moderator: string;
  /** approve, reject, restore, delete, edit, reply, reply-delete, erase; others are shown as named. */
  action: string;
  commentId: string;
  pageId?: string | null;
  /** The author's name when the decision was taken. */
  commentName?: string;
  /** The language the comment was written in ('' unknown): its name and texts carry it. */
  commentLang?: string;
  before?: AuditState | null;
  after?: AuditState | null;
  /** Set once the comment was erased at its author's request: the entry then holds no name nor text. */
  erasedAt?: string | null;
}

export interface AuditPage {
  items: AuditEntry[];
  next: string | null;
}

/** Sign-outs in this page so far (forgetUnanswered() counts them). */
let signOuts = 0;

/** An answer that is not what we asked for; `status` 0 means the network failed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** Field → message, for a 400/422 validation problem. */
    readonly fields: Record<string, string> = {},
    /** `409 conflict` on a decision: the comment's status now. */
    readonly current?: string,
    /** `409 conflict` on an edit or a reply: the comment as the other moderator left it. */
    readonly comment?: AdminComment,
    /** `429`: seconds to wait. */
    readonly retryAfter?: number,
    /** The session (count of sign-outs) the request was sent in. */
    private readonly sentIn = signOuts,
  ) {
    super(`${status} ${code}`);
  }

  /**
   * Sent before the last sign-out: a 401 then is about the session that ended, not about the token
   * signed in with since (the same one, maybe), and must not sign that out.
   */
  get stale(): boolean {
    return this.sentIn !== signOuts;
  }
}

/** Someone else decided (or edited) the comment first: `409 conflict`. */
export const isConflict = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 409 && e.code === 'conflict';

/** The comment is gone (deleted or erased): the server's own `404 not-found`, not a proxy's 404. */
export const isGone = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 404 && e.code === 'not-found';

/** The API lives beside /admin: /admin → /api/admin/…, /prefix/admin/ → /prefix/api/admin/…. */
function base(): string {
  const path = location.pathname;
  const at = path.lastIndexOf('/admin');
  return `${location.origin}${at >= 0 ? path.slice(0, at) : ''}/api/admin`;
}

async function call(
  token: string,
  method: string,
  path: string,
  opts: { query?: Record<string, string>; body?: unknown } = {},
): Promise<Response> {
  const url = new URL(base() + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v) url.searchParams.set(k, v);
  const sentIn = signOuts;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ApiError(0, 'network', {}, undefined, undefined, undefined, sentIn);
  }
  if (!res.ok) {
    let code = 'http';
    let fields: Record<string, string> = {};
    let current: string | undefined;
    let comment: AdminComment | undefined;
    let retryAfter: number | undefined;
    try {
      const body = (await res.json()) as { code?: unknown; fields?: unknown; current?: unknown; comment?: Partial<AdminComment>; retryAfter?: unknown };
      if (typeof body.code === 'string') code = body.code;
      if (typeof body.retryAfter === 'number' && body.retryAfter > 0) retryAfter = body.retryAfter;
      if (typeof body.current === 'string') current = body.current;
      const c = body.comment;
      if (c && typeof c === 'object' && typeof c.id === 'string' && typeof c.name === 'string' && typeof c.content === 'string') comment = c as AdminComment;
      if (body.fields && typeof body.fields === 'object') {
        fields = Object.fromEntries(Object.entries(body.fields).filter((e): e is [string, string] => typeof e[1] === 'string'));
      }
    } catch {
      /* not a problem document: keep "http" */
    }
    throw new ApiError(res.status, code, fields, current, comment, retryAfter, sentIn);
  }
  return res;
}

const commentPath = (id: string, rest = '') => `/comments/${encodeURIComponent(id)}${rest}`;

export interface ListFilter {
  status: Status;
  pageId?: string;
  q?: string;
}

export async function listComments(token: string, filter: ListFilter, cursor: string | null, limit = 50): Promise<AdminPage> {
  const res = await call(token, 'GET', '/comments', {
    query: { status: filter.status, pageId: filter.pageId ?? '', q: filter.q ?? '', cursor: cursor ?? '', limit: String(limit) },
  });
  return (await res.json()) as AdminPage;
}

/** Per-status counts of what the filter (article, text) matches, or null when this server does not give them. */
export async function getCounts(token: string, filter: Omit<ListFilter, 'status'>): Promise<Counts | null> {
  const res = await call(token, 'GET', '/stats', { query: { pageId: filter.pageId ?? '', q: filter.q ?? '' } });
  const body = (await res.json()) as Partial<Counts> & { counts?: Partial<Counts> };
  const c = body.counts ?? body;
  return STATUSES.every((s) => typeof c[s] === 'number') ? (c as Counts) : null;
}

/** One comment as the server has it now, whatever its status; null when it is gone (deleted, erased). */
export async function getComment(token: string, id: string): Promise<AdminComment | null> {
  try {
    return await readJson<AdminComment>(await call(token, 'GET', commentPath(id)));
  } catch (e) {
    // The contract's 404 only: a proxy's or an older server's (another code, or none) says nothing of it.
    if (isGone(e)) return null;
    throw e;
  }
}

/**
 * A decision on the comment as the moderator saw it: its status, and for a decision its edit and reply.
 * A comment someone else moved, edited or answered meanwhile is 409, unchanged (with the comment now).
 * Pressed again after a try whose answer was lost, a decision already made is done: the same decision
 * is answered 200 `unchanged`, a delete 404.
 */
export async function moderate(token: string, c: Pick<AdminComment, 'id' | 'status' | 'editedAt' | 'reply'>, action: 'approve' | 'reject' | 'delete' | 'restore'): Promise<void> {
  const query = { from: c.status };
  const tried = `${c.id} ${action}`;
  let res: Response;
  try {
    res =
      action === 'delete'
        ? await call(token, 'DELETE', commentPath(c.id), { query })
        : await call(token, 'POST', commentPath(c.id, `/${action}`), { query: { ...query, ...seen('editedAt', c.editedAt), ...(c.reply !== undefined && seen('replyAt', c.reply?.at ?? null)) } });
  } catch (e) {
    // No answer, or a fault (a writer gone after its commit, a connection lost after COMMIT, a proxy's
    // 502/504): the decision may have been made.
    if (e instanceof ApiError && (e.status === 0 || e.status >= 500)) unanswered.set(tried, Date.now());
    // Gone, after this page's own delete whose answer was lost: that one did it.
    else if (isGone(e) && action === 'delete' && mayHaveDecided(c.id, action)) return void unanswered.delete(tried);
    throw e;
  }
  if (action === 'delete') return void unanswered.delete(tried);
  // Made already (`unchanged`, docs/api.md): by this moderator (this page's own try whose answer was
  // lost, however long ago; another tab of theirs), done; by someone else since the list was read, told
  // as the conflict it is, not announced and counted as this moderator's.
  const { status, unchanged, yours } = await readJson<{ status?: string; unchanged?: boolean; yours?: boolean }>(res);
  const ours = mayHaveDecided(c.id, action) || yours === true;
  unanswered.delete(tried);
  if (unchanged === true && status !== c.status && !ours) throw new ApiError(409, 'conflict', {}, status);
}

/**
 * Decisions sent whose answer never came or was a fault, and when: the server may have made them. For
 * the moderator's next minutes only (a retry, the next poll): later, or once signed out, an "already so"
 * is someone else's.
 */
const unanswered = new Map<string, number>();
const UNANSWERED_FOR_MS = 5 * 60_000;

/** This page may have made the decision (`action`, or any) on the comment, its answer lost. */
export function mayHaveDecided(id: string, action?: string): boolean {
  for (const [tried, at] of unanswered) {
    if (Date.now() - at > UNANSWERED_FOR_MS) unanswered.delete(tried);
    else if (tried === `${id} ${action}` || (action === undefined && tried.startsWith(`${id} `))) return true;
  }
  return false;
}

/** How many sign-outs this page has had: a change tells work begun before one from work begun after. */
export const signOutCount = (): number => signOuts;

/** Signed out: what this page sent is no longer what the next moderator at the desk did. */
export function forgetUnanswered(): void {
  unanswered.clear();
  signOuts++;
}

/** At its author's request: the comment (if still there) and its words in the log, for good. */
export async function eraseComment(token: string, id: string): Promise<void> {
  await call(token, 'POST', commentPath(id, '/erase'));
}

/**
 * The version of the comment the moderator saw, for an edit (`editedAt`) or a reply (`replyAt`): someone
 * else's change since then is 409, unchanged. Nothing when the server did not say (an older one).
 */
function seen(field: 'editedAt' | 'replyAt', at: string | null | undefined): Record<string, string> {
  return at === undefined ? {} : { [field]: at ?? 'none' };
}

export async function editComment(
  token: string,
  id: string,
  change: { name?: string; content?: string; redact?: boolean },
  editedAt?: string | null,
): Promise<Partial<AdminComment>> {
  const res = await call(token, 'PATCH', commentPath(id), { body: change, query: seen('editedAt', editedAt) });
  return readJson<Partial<AdminComment>>(res);
}

export async function setReply(token: string, id: string, text: string, replyAt?: string | null): Promise<Reply | null> {
  const res = await call(token, 'PUT', commentPath(id, '/reply'), { body: { text }, query: seen('replyAt', replyAt) });
  const body = await readJson<{ reply?: Reply | null; text?: string; at?: string }>(res);
  if (body.reply) return body.reply;
  if (typeof body.text === 'string' && typeof body.at === 'string') return { text: body.text, at: body.at };
  return null;
}

export async function removeReply(token: string, id: string, replyAt?: string | null): Promise<void> {
  await call(token, 'DELETE', commentPath(id, '/reply'), { query: seen('replyAt', replyAt) });
}

/** The log, newest first; `moderator` (the name it records, exactly) and `commentId` narrow it, `q` searches it. */
export async function listAudit(token: string, filter: { commentId?: string; moderator?: string; q?: string }, cursor: string | null, limit = 50): Promise<AuditPage> {
  const res = await call(token, 'GET', '/audit', {
    query: { commentId: filter.commentId ?? '', moderator: filter.moderator ?? '', q: filter.q ?? '', cursor: cursor ?? '', limit: String(limit) },
  });
  return (await res.json()) as AuditPage;
}

async function readJson<T>(res: Response): Promise<T> {
  if (res.status === 204) return {} as T;
  try {
    return (await res.json()) as T;
  } catch {
    return {} as T;
  }
}

/**
 * The moderation API as the page uses it. Same origin, bearer token, no cookies.
 * The API base is found relative to the page, so the page also works behind a path prefix.
 */
export type Status = 'pending' | 'published' | 'rejected';

export interface AdminComment {
  id: string;
  pageId: string;
  pageUrl: string;
  pageTitle: string;
  name: string;
  content: string;
  status: Status;
  createdAt: string;
  moderatedAt: string | null;
}

export interface AdminPage {
  items: AdminComment[];
  next: string | null;
}

/** An answer that is not what we asked for; `status` 0 means the network failed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`${status} ${code}`);
  }
}

/** The API lives beside /admin: /admin → /api/admin/comments, /prefix/admin/ → /prefix/api/admin/comments. */
function base(): URL {
  const path = location.pathname;
  const at = path.lastIndexOf('/admin');
  return new URL(`${at >= 0 ? path.slice(0, at) : ''}/api/admin/comments`, location.origin);
}

async function call(token: string, method: string, path: string, query?: Record<string, string>): Promise<Response> {
  const url = new URL(base().href + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v) url.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ApiError(0, 'network');
  }
  if (!res.ok) {
    let code = 'http';
    try {
      const body = (await res.json()) as { code?: unknown };
      if (typeof body.code === 'string') code = body.code;
    } catch {
      /* not a problem document: keep "http" */
    }
    throw new ApiError(res.status, code);
  }
  return res;
}

export async function listComments(token: string, status: Status, cursor: string | null): Promise<AdminPage> {
  const res = await call(token, 'GET', '', { status, cursor: cursor ?? '', limit: '50' });
  return (await res.json()) as AdminPage;
}

export async function moderate(token: string, id: string, action: 'approve' | 'reject' | 'delete'): Promise<void> {
  const path = `/${encodeURIComponent(id)}${action === 'delete' ? '' : `/${action}`}`;
  await call(token, action === 'delete' ? 'DELETE' : 'POST', path);
}

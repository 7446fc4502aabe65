/**
 * Checks an HTTP answer against docs/openapi.yaml: the (method, path template, status) must be
 * documented, the Content-Type must be one the document lists for it, a JSON body must validate
 * against its schema, required headers must be there and documented headers must match their schema.
 *
 * Generic on purpose (no per-route code): a route another branch adds is checked as soon as the
 * document describes it, and fails the tests until it does, so the document and the server cannot
 * drift apart. A path no template matches must be answered with the document's
 * `x-unmatched-path-response` (the 404 problem).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

export const OPENAPI_PATH = fileURLToPath(new URL('../../../docs/openapi.yaml', import.meta.url));

// ajv-formats is CommonJS with `exports.default`: under NodeNext its default import is the module.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;

type Json = any;
const DOC_ID = 'openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Template {
  path: string;
  regex: RegExp;
  params: string[];
}

export interface Answer {
  method: string;
  /** The request's URL or path (the query is ignored). */
  url: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly templates: Template[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Json) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(doc, DOC_ID);
    this.templates = Object.keys(doc.paths ?? {})
      .map((path) => {
        const item = doc.paths[path];
        const spansSlashes = (name: string) =>
          [...(item.parameters ?? []), ...METHODS.flatMap((m) => item[m]?.parameters ?? [])].some(
            (p: Json) => p?.in === 'path' && p.name === name && p['x-matches-slashes'] === true,
          );
        const params: string[] = [];
        const source = path
          .split(/(\{[^}]+\})/)
          .map((part) => {
            const m = /^\{([^}]+)\}$/.exec(part);
            if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
            params.push(m[1]!);
            return spansSlashes(m[1]!) ? '(.+)' : '([^/]+)';
          })
          .join('');
        return { path, regex: new RegExp(`^${source}$`), params };
      })
      // Concrete paths before templated ones, as routers do.
      .sort((a, b) => a.params.length - b.params.length);
  }

  /** Follows $refs; returns the node and the JSON pointer where it lives. */
  private deref(node: Json, pointer: string): [Json, string] {
    for (let i = 0; node && typeof node === 'object' && typeof node.$ref === 'string' && i < 20; i++) {
      pointer = node.$ref as string;
      node = this.at(pointer);
    }
    return [node, pointer];
  }

  private at(pointer: string): Json {
    return pointer
      .replace(/^#\//, '')
      .split('/')
      .reduce((o: Json, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
  }

  private validator(pointer: string): ValidateFunction {
    let v = this.compiled.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `${DOC_ID}${pointer}` });
      this.compiled.set(pointer, v);
    }
    return v;
  }

  private valid(pointer: string, value: unknown): string | null {
    const v = this.validator(pointer);
    if (v(value)) return null;
    return this.ajv.errorsText(v.errors, { dataVar: 'body' });
  }

  /** The template and path parameters that match, checking each parameter against its schema. */
  private match(method: string, pathname: string): { path: string; op: Json; opPointer: string } | null {
    for (const t of this.templates) {
      const m = t.regex.exec(pathname);
      if (!m) continue;
      const item = this.doc.paths[t.path];
      const op = item[method] ?? (method === 'head' ? item.get : undefined);
      if (!op) continue;
      const opPointer = `#/paths/${escapePointer(t.path)}/${item[method] ? method : 'get'}`;
      const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Json, i: number) => {
        const base = i < (item.parameters ?? []).length ? `#/paths/${escapePointer(t.path)}/parameters/${i}` : `${opPointer}/parameters/${i - (item.parameters ?? []).length}`;
        return this.deref(p, base);
      });
      const fits = t.params.every((name, i) => {
        const found = declared.find(([p]) => p?.in === 'path' && p.name === name);
        if (!found) return true;
        let value: string;
        try {
          value = decodeURIComponent(m[i + 1]!);
        } catch {
          value = m[i + 1]!; // a broken %-escape still names this route; the route answers it (400)
        }
        return this.valid(`${found[1]}/schema`, value) === null;
      });
      if (fits) return { path: t.path, op, opPointer };
    }
    return null;
  }

  check(a: Answer): string[] {
    const method = a.method.toLowerCase();
    if (!METHODS.includes(method)) return [`${a.method}: not an HTTP method the document can describe`];
    const pathname = new URL(a.url, 'http://x').pathname;
    const where = `${a.method.toUpperCase()} ${pathname} → ${a.status}`;
    const matched = this.match(method, pathname);

    let responsePointer: string;
    let response: Json;
    if (matched) {
      const responses = matched.op.responses ?? {};
      const key = [String(a.status), `${String(a.status)[0]}XX`, 'default'].find((k) => responses[k] !== undefined);
      if (!key) return [`${where}: status not documented for ${a.method.toUpperCase()} ${matched.path} in docs/openapi.yaml`];
      [response, responsePointer] = this.deref(responses[key], `${matched.opPointer}/responses/${key}`);
    } else {
      const name = this.doc['x-unmatched-path-response'];
      if (!name) return [`${where}: no path in docs/openapi.yaml matches`];
      // Under a prefix whose every request is authenticated first (the moderation API), a request without
      // a valid token is refused before any route is looked for.
      const before = Object.entries<Json>(this.doc['x-unmatched-path-responses-before-routing'] ?? {}).find(([prefix]) => pathname.startsWith(prefix))?.[1] as
        | Record<string, string>
        | undefined;
      const early = before?.[String(a.status)];
      [response, responsePointer] = this.deref({ $ref: `#/components/responses/${early ?? name}` }, '');
      if (!early && String(a.status) !== '404') return [`${where}: no documented route matches, and the answer is not the 404 problem`];
    }

    const errors: string[] = [];
    const header = (name: string) => {
      const v = a.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v === undefined ? undefined : String(v);
    };
    for (const [name, h] of Object.entries<Json>(response.headers ?? {})) {
      const [hdr, hdrPointer] = this.deref(h, `${responsePointer}/headers/${escapePointer(name)}`);
      const value = header(name);
      if (value === undefined) {
        if (hdr.required) errors.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (hdr.schema) {
        const e = this.valid(`${hdrPointer}/schema`, value);
        if (e) errors.push(`${where}: header ${name}: ${JSON.stringify(value)} ${e}`);
      }
    }

    const content: Json = response.content;
    const type = (header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!content) {
      if (a.body.length > 0) errors.push(`${where}: a body (${type || 'no content-type'}) where the document says there is none`);
      return errors;
    }
    if (method === 'head') return errors;
    const mediaKey = Object.keys(content).find((k) => k.toLowerCase() === type);
    if (!mediaKey) {
      errors.push(`${where}: Content-Type ${type || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
      return errors;
    }
    if (/[/+]json$/.test(mediaKey) && content[mediaKey].schema && !/\.map$/.test(pathname)) {
      let body: unknown;
      try {
        body = JSON.parse(a.body);
      } catch {
        errors.push(`${where}: the ${mediaKey} body is not JSON: ${a.body.slice(0, 200)}`);
        return errors;
      }
      const e = this.valid(`${responsePointer}/content/${escapePointer(mediaKey)}/schema`, body);
      if (e) errors.push(`${where}: ${e} in ${a.body.slice(0, 300)}`);
    }
    return errors;
  }
}

let checker: ContractChecker | null = null;

/** The problems of this answer against docs/openapi.yaml; [] when it is documented and fits. */
export function contractErrors(a: Answer): string[] {
  checker ??= new ContractChecker(parse(readFileSync(OPENAPI_PATH, 'utf8')));
  return checker.check(a);
}

/** Throws when the answer is not what docs/openapi.yaml documents. */
export function assertDocumented(a: Answer): void {
  const errors = contractErrors(a);
  if (errors.length) throw new Error(`undocumented answer (docs/openapi.yaml):\n  ${errors.join('\n  ')}`);
}

interface Injectable {
  inject(opts: { method?: string; url: string; [k: string]: unknown }): Promise<{
    statusCode: number;
    headers: Record<string, string | string[] | number | undefined>;
    body: string;
  }>;
}

/** Makes `app.inject(opts)` (the promise form) check every answer against the document. */
export function checkInjectedAnswers<T extends Injectable>(app: T): T {
  const inject = app.inject.bind(app);
  (app as Injectable).inject = async (opts) => {
    const res = await inject(opts);
    assertDocumented({ method: opts.method ?? 'GET', url: opts.url, status: res.statusCode, headers: res.headers, body: res.body });
    return res;
  };
  return app;
}

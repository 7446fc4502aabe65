/**
 * What the package says of its licences: ours (LICENSE, MIT) and those of the code its bundles carry
 * (dist/THIRD_PARTY_LICENSES.txt, written by the build from the packages the source maps name), both in
 * the tarball `npm pack` makes.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

it('ships ours and the bundled packages\' licences, each with its text', { timeout: 90_000 }, async () => {
  const notices = readFileSync(`${ROOT}/dist/THIRD_PARTY_LICENSES.txt`, 'utf8');
  for (const [name, licence, text] of [
    ['lit-html', 'BSD-3-Clause', 'Redistribution and use in source and binary forms'],
    ['lit-element', 'BSD-3-Clause', 'Redistribution and use in source and binary forms'],
    ['@lit/reactive-element', 'BSD-3-Clause', 'Redistribution and use in source and binary forms'],
    ['idb-keyval', 'Apache-2.0', 'Licensed under the Apache License, Version 2.0'],
    ['@hcaptcha/vanilla-hcaptcha', 'MIT', 'Permission is hereby granted, free of charge'],
  ] as const) {
    const at = notices.search(new RegExp(`^${name.replace(/[/@.-]/g, '\\$&')} \\S+ \\(${licence}\\)$`, 'm'));
    expect(at, name).toBeGreaterThanOrEqual(0);
    // Within its own block: the next package's (the Lit packages share one text) does not count.
    const end = notices.indexOf('-'.repeat(72), at);
    expect(notices.slice(at, end < 0 ? undefined : end), `${name}'s text`).toContain(text);
  }
  expect(/^[\x00-\x7F]*$/.test(notices)).toBe(true);
  expect(readFileSync(`${ROOT}/LICENSE`, 'utf8')).toMatch(/^MIT License/);
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 60_000 });
  const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['LICENSE', 'dist/THIRD_PARTY_LICENSES.txt']));
});

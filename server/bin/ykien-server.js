#!/usr/bin/env node
// The `ykien-server` command. This file is committed, not built: npm links a package's bins when it
// installs it, which on a fresh clone is before `npm run build` has made dist/, and a bin whose file
// is missing at that moment is silently not linked.
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('cli.js')) {
    process.stderr.write('ykien-server is not built yet: run `npm run build -w server` (or `npm run build`) first.\n');
    // 2, as for a configuration error: a unit's RestartPreventExitStatus=2 does not restart it every 2 s.
    process.exit(2);
  }
  throw err;
});

#!/usr/bin/env node
// The `ykien-conformance` command. Committed, not built, like bin/ykien-server.js (see there why).
import('../dist/conformance/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('cli.js')) {
    process.stderr.write('ykien-conformance is not built yet: run `npm run build -w server` (or `npm run build`) first.\n');
    process.exit(2);
  }
  throw err;
});

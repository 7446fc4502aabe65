// Whether the module at `url` is the script Node was asked to run (not imported, as tests import it).
// By real paths: Node gives the module its real path, argv[1] as typed (a release under a symlink,
// /opt/ykien, as docs/deploy.md runs it).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isMain(url) {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(url);
  } catch {
    return false;
  }
}

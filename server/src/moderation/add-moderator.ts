/**
 * `ykien-server add-moderator NAME [--moderators FILE]`: appends a moderator to the moderators file
 * (created with mode 0600, its folder 0700) and prints the new token once. Runs without the server.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { makeModerator, moderatorNameKey, ModeratorsFileError, parseModerators, reservedModeratorName, validModeratorName } from './moderators.js';

export const ADD_MODERATOR_USAGE = 'Usage: ykien-server add-moderator NAME [--moderators FILE]   (or YKIEN_MODERATORS=FILE)';

export class UsageError extends Error {}

export async function addModerator(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  let file: string | undefined = env.YKIEN_MODERATORS || undefined;
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--moderators') {
      file = argv[++i];
      if (!file) throw new UsageError('--moderators needs a file');
    } else if (arg.startsWith('--moderators=')) {
      file = arg.slice('--moderators='.length);
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option "${arg}"`);
    } else if (name === undefined) {
      name = arg.normalize('NFC');
    } else {
      throw new UsageError(`one NAME only (got "${name}" and "${arg}")`);
    }
  }
  if (name === undefined) throw new UsageError('NAME is missing');
  if (!validModeratorName(name)) {
    throw new UsageError(`"${name}" is not a moderator name: 1–64 letters, digits, spaces or . _ @ -, starting with a letter or digit`);
  }
  if (reservedModeratorName(name)) throw new UsageError(`"${name}" is the name --admin-token acts under in the moderation log; choose another`);
  if (!file) throw new UsageError('no moderators file: pass --moderators FILE or set YKIEN_MODERATORS');
  const path = resolve(file);
  let existing = '';
  if (existsSync(path)) {
    existing = readFileSync(path, 'utf8');
    const records = parseModerators(existing, path);
    if (records.some((r) => moderatorNameKey(r.name) === moderatorNameKey(name!))) {
      throw new ModeratorsFileError(`${path}: moderator "${name}" exists already; remove its line to replace its token`);
    }
  } else {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }
  const { token, line } = await makeModerator(name);
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  appendFileSync(path, `${sep}${line}\n`, { mode: 0o600 });
  return (
    `Moderator "${name}" added to ${path}.\n` +
    `Their token is shown this once (only its hash is stored); give it to them to sign in at /admin:\n` +
    `MODERATOR TOKEN: ${token}\n`
  );
}

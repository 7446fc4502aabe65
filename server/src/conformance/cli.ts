/**
 * `ykien-conformance <endpoint-url>`: checks a comment endpoint against the ykien contract from the
 * outside, prints one line per check, then `N passed, M failed`, and exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { HCAPTCHA_TEST_SITEKEY, HCAPTCHA_TEST_TOKEN, runConformance, shownUrl } from './checks.js';

const HELP = `Usage: npx ykien-conformance <endpoint-url> [options]

Checks a comment endpoint (your own backend or ykien-server) against the ykien HTTP contract
(docs/api.md, docs/openapi.yaml) from the outside, before you go live.

  <endpoint-url>            the URL you put in <ykien-comments endpoint="...">,
                            e.g. https://staging.example.vn/api/comments
  --origin ORIGIN           the origin of the pages that embed the widget (default: the endpoint's
                            own origin); the CORS checks use it and every pageUrl is on it
  --captcha-token TOKEN     a captcha token your verifier accepts (as often as needed); it says
                            the endpoint has a captcha, so a comment without a token must be refused
  --no-list                 every <ykien-comments> on your pages has list="off": the list
                            (GET <endpoint>?pageId=...) is not checked; without this flag an
                            endpoint with no list fails, as the widget would show every article's
                            box as "could not load"
  --timeout SECONDS         each request's deadline, the whole answer included (default 15, as
                            the widget's); a request that takes longer fails its check
  -h, --help                this help

The endpoint may carry a query string (https://cms.example/index.php?route=api/comments): the
checker builds every URL as the widget does, appending its parameters to that query.

It posts a few comments to pages named ykien-conformance-<random> only: at most 6 stored on that
page (4 on an endpoint that stores each key once), one at the contract's limits on
ykien-conformance-<random>-gioi-han-xxx... (padded to 1,900 bytes), and the probes the endpoint must refuse go to
ykien-conformance-<random>-refused, where nothing is stored unless it accepts one (that check then
fails). Delete them in your moderation tool afterwards. Run it against staging with moderation off
to check the list's paging too (with moderation on that check says "skipped: moderation on", and
the list must not show the pending comment).

Captcha: its first comment goes without a token, which an endpoint that requires one must answer
403 captcha (a 400 fails: the widget's outbox takes it as a final refusal). Then, without
--captcha-token, it uses hCaptcha's published test token ${HCAPTCHA_TEST_TOKEN},
which passes siteverify only when the server uses the test site key
${HCAPTCHA_TEST_SITEKEY} with the test secret
0x0000000000000000000000000000000000000000 (a staging configuration), and says so.

Output: one line per check (PASS / FAIL ... (what to fix) / SKIP), then "N passed, M failed".
Exit status: 0 when nothing failed, 1 otherwise, 2 for a usage error.
`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        origin: { type: 'string' },
        'captcha-token': { type: 'string' },
        'no-list': { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`ykien-conformance: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [endpoint, ...extra] = parsed.positionals;
  if (!endpoint || extra.length) {
    process.stderr.write(`ykien-conformance: give exactly one endpoint URL\n\n${HELP}`);
    return 2;
  }
  for (const [what, value] of [['endpoint', endpoint], ['--origin', parsed.values.origin]] as const) {
    if (value === undefined) continue;
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(value).protocol);
    } catch {
      ok = false;
    }
    if (!ok) {
      process.stderr.write(`ykien-conformance: ${what} "${shownUrl(value)}" is not an http(s) URL\n`);
      return 2;
    }
  }
  let timeoutMs: number | undefined;
  if (parsed.values.timeout !== undefined) {
    const seconds = Number(parsed.values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
      process.stderr.write(`ykien-conformance: --timeout "${parsed.values.timeout}" is not a number of seconds (more than 0, at most 600)\n`);
      return 2;
    }
    timeoutMs = Math.round(seconds * 1000);
  }
  process.stdout.write(`ykien-conformance: checking ${shownUrl(endpoint)}\n`);
  const result = await runConformance({
    endpoint,
    origin: parsed.values.origin,
    captchaToken: parsed.values['captcha-token'],
    list: !parsed.values['no-list'],
    timeoutMs,
    onLine: (l) => process.stdout.write(`${l.outcome} ${l.text}\n`),
  });
  process.stdout.write(`${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped (see SKIP above: not checked, not passed)` : ''}\n`);
  return result.failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));

// @vitest-environment node
/** The pure pieces, in-process: parsing, normalising, hashing. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type Config } from '../src/config.js';
import proxyaddr from '@fastify/proxy-addr';
import { createServer, type AddressInfo } from 'node:net';
import { verifyCaptcha } from '../src/policies/captcha.js';
import { digestMessage } from '../src/notify/email.js';
import { describeFailure } from '../src/notify/worker.js';
import { pickLang } from '../src/i18n.js';
import { payloadHash, resolveKey } from '../src/policies/idempotency.js';
import { isJsonContentType } from '../src/policies/json-body.js';
import { serializeError } from '../src/logging.js';
import { clientHash, clientMaterial, parseRateLimit } from '../src/policies/rate-limit.js';
import { tokenMatches } from '../src/moderation/moderators.js';
import { renderDemoPage } from '../src/routes/static.js';
import { safeRelativePath } from '../src/static-files.js';
import { decodeCursor, encodeCursor } from '../src/stores/store.js';
import { cleanName, cleanText, codePoints, validateComment, validateEdit, validateReply } from '../src/policies/validate.js';
import { randomStrings } from './support/random.js';

describe('rate limits', () => {
  it('parses N/UNIT', () => {
    expect(parseRateLimit('5/min')).toEqual({ limit: 5, windowMs: 60_000 });
    expect(parseRateLimit('20/10min')).toEqual({ limit: 20, windowMs: 600_000 });
    expect(parseRateLimit('100 / day')).toEqual({ limit: 100, windowMs: 86_400_000 });
    expect(parseRateLimit('3/hours')).toEqual({ limit: 3, windowMs: 3_600_000 });
    expect(parseRateLimit('1/s')).toEqual({ limit: 1, windowMs: 1000 });
    expect(parseRateLimit('off')).toBeNull();
    expect(parseRateLimit('4/2mins')).toEqual({ limit: 4, windowMs: 120_000 });
    expect(parseRateLimit('2/3days')).toEqual({ limit: 2, windowMs: 259_200_000 });
    for (const bad of ['5', 'five/min', '5/fortnight', '0/min', '/min']) expect(() => parseRateLimit(bad)).toThrow();
    // A trailing "s" is a plural of a whole name only: "ms" (milliseconds elsewhere) is not "m", nor "hs" "h".
    expect(() => parseRateLimit('100/ms')).toThrow('"100/ms": a window is counted in seconds at the least (s, min, h, day), not milliseconds');
    for (const bad of ['5/ss', '5/hs', '5/ds', '5/mss', '5/constructor']) expect(() => parseRateLimit(bad), bad).toThrow('expected N/UNIT');
    // Out of range says which part and what it may be.
    expect(() => parseRateLimit('0/min')).toThrow('"0/min": the number of comments must be 1 to 1000000 (use "off" for no limit)');
    expect(() => parseRateLimit('0/10min', 'failed sign-ins')).toThrow('"0/10min": the number of failed sign-ins must be 1 to 1000000');
    expect(() => parseRateLimit('5/0min')).toThrow('"5/0min": the window\'s count must be 1 to 10000, as in 20/10min');
  });

  it('groups IPv6 by /64 and unmaps IPv4-mapped addresses', () => {
    expect(clientMaterial('192.0.2.1')).toBe('v4:192.0.2.1');
    expect(clientMaterial('::ffff:192.0.2.1')).toBe('v4:192.0.2.1');
    expect(clientMaterial('::ffff:c000:201')).toBe('v4:192.0.2.1');
    expect(clientMaterial('2001:db8:1:2::1')).toBe('v6:2001:db8:1:2::/64');
    expect(clientMaterial('2001:0DB8:0001:0002:ffff:0:0:1')).toBe('v6:2001:db8:1:2::/64');
    expect(clientMaterial('fe80::1%eth0')).toBe('v6:fe80:0:0:0::/64');
    expect(clientMaterial('::1')).toBe('v6:0:0:0:0::/64');
    expect(clientMaterial('64:ff9b::192.0.2.1')).toBe('v6:64:ff9b:0:0::/64');
  });

  it('hashes with the secret: stable, keyed, and not the address', () => {
    const a = clientHash('2001:db8:1:2::1', 'secret-one-0123456789');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(clientHash('2001:db8:1:2::ffff', 'secret-one-0123456789')).toBe(a);
    expect(clientHash('2001:db8:1:3::1', 'secret-one-0123456789')).not.toBe(a);
    expect(clientHash('2001:db8:1:2::1', 'secret-two-0123456789')).not.toBe(a);
  });
});

describe('text', () => {
  it('a name, comment, edit or reply of characters that show nothing is missing, as an empty one', () => {
    const opts = { lang: 'vi' as const, maxLength: 2000, originAllowed: () => true };
    const base = { pageId: 'bai-1', pageUrl: 'https://baotinh.example.vn/bai-1', clientId: 'k1' };
    for (const invisible of ['\u200B\u200C\u200D', '\u00AD\u00AD', '\u3164', '\u2800 \u2800', '\uFEFF\u2060', ' \u180E ', '\u034F']) {
      const r = validateComment({ ...base, name: invisible, content: invisible }, opts);
      expect(r.ok ? [] : Object.keys(r.fields)).toEqual(['name', 'content']);
      const edit = validateEdit({ name: invisible, content: invisible }, opts);
      expect(edit.ok ? [] : Object.keys(edit.fields)).toEqual(['name', 'content']);
      expect(validateReply({ text: invisible }, 'vi').ok).toBe(false);
    }
    // A visible character among them is a name and a comment (kept as typed).
    const shown = validateComment({ ...base, name: '\u200BAn', content: 'Đồng ý\u200D' }, opts);
    expect(shown.ok && [shown.value.name, shown.value.content]).toEqual(['\u200BAn', 'Đồng ý\u200D']);
  });

  it('normalises to NFC after removing controls and bidi overrides', () => {
    expect(cleanText('  e\u0302\u0301 \r\n x\u0000\u202E\u2067y\t ')).toBe('ế \n xy');
    // A control between a letter and its mark must not keep them apart.
    expect(cleanText('e\u0000\u0302')).toBe('ê');
    expect(cleanText('\uD800x')).toBe('\uFFFDx');
    expect(cleanName(' Lê\n\tVăn   Bình ')).toBe('Lê Văn Bình');
    expect(codePoints('😀ê')).toBe(2);
  });

  it('cleans random text exactly as the four replacements, NFC and trim (and one space per run in a name) do', () => {
    // The definition; cleanText skips the replacements when no character needs one.
    const cleanTextDefinition = (raw: string) =>
      raw
        .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
        .replace(/\r\n?/g, '\n')
        .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '')
        .replace(/[\u202A-\u202E\u2066-\u2069]/g, '')
        .normalize('NFC')
        .trim();
    const pool = [
      ...'aAeEđĐ09 .,', 'ễ', 'e\u0302', '\u0301', ' ', '  ', '\t', '\n', '\r', '\r\n', '\u0000', '\u0008', '\u000b', '\u001f', '\u007f',
      '\u0085', '\u009f', '\u00a0', '\u2003', '\u2028', '\u3000', '\u202a', '\u202e', '\u2066', '\u2069', '\u200b', '😀', '\ud800', '\udc00', '\ufeff',
    ];
    for (const s of randomStrings(pool, 10, 20_000, 7654321)) {
      expect(cleanText(s)).toBe(cleanTextDefinition(s));
      expect(cleanName(s)).toBe(cleanTextDefinition(s).replace(/\s+/gu, ' '));
    }
  });

  it('picks vi or en from Accept-Language', () => {
    expect(pickLang(undefined)).toBe('vi');
    expect(pickLang('en-US,en;q=0.9')).toBe('en');
    expect(pickLang('fr, en;q=0.5, vi;q=0.8')).toBe('vi');
    expect(pickLang('fr, de')).toBe('vi');
    expect(pickLang('en;q=0, vi;q=0.1')).toBe('vi');
    expect(pickLang('EN-gb')).toBe('en');
  });

  it('recognises JSON content types', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset="UTF-8"')).toBe(true);
    expect(isJsonContentType('application/json; charset=latin1')).toBe(false);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(isJsonContentType('text/json')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});

describe('idempotency', () => {
  it('hashes the payload without captchaToken and independent of key order', () => {
    const a = payloadHash({ name: 'A', content: 'B', captchaToken: 'one', nested: { y: 1, x: [1, { b: 2, a: 1 }] } });
    const b = payloadHash({ nested: { x: [1, { a: 1, b: 2 }], y: 1 }, captchaToken: 'two', content: 'B', name: 'A' });
    expect(a).toBe(b);
    expect(payloadHash({ name: 'A', content: 'C' })).not.toBe(payloadHash({ name: 'A', content: 'B' }));
    // The value stored with every key since the first version (sha256 of the canonical JSON, in hex):
    // a replay of a comment stored by an older server must still match.
    expect(payloadHash({ name: 'Lê', content: 'B', captchaToken: 'x' })).toBe('e6e8aab74380154a661d4a171fe9093eb6d6e07e3c15526c59713e9d647252cf');
  });

  it('resolves the key from the header or clientId', () => {
    expect(resolveKey('k-1', undefined, 'en')).toEqual({ ok: true, key: 'k-1' });
    expect(resolveKey(undefined, 'k-2', 'en')).toEqual({ ok: true, key: 'k-2' });
    expect(resolveKey('k-1', 'k-1', 'en')).toEqual({ ok: true, key: 'k-1' });
    expect(resolveKey('k-1', 'k-2', 'en').ok).toBe(false);
    expect(resolveKey(undefined, undefined, 'en').ok).toBe(false);
    expect(resolveKey(['a', 'b'], undefined, 'en').ok).toBe(false);
    expect(resolveKey(undefined, 42, 'en').ok).toBe(false);
    expect(resolveKey('x'.repeat(201), undefined, 'en').ok).toBe(false);
  });
});

describe('cursors and tokens', () => {
  it('round-trips a cursor and refuses anything else', () => {
    const c = { createdAt: 1_790_000_000_000, seq: 42 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    for (const bad of ['', 'abc', Buffer.from('1.2.3').toString('base64url'), Buffer.from('-1.2').toString('base64url'), 'a'.repeat(100)]) {
      expect(decodeCursor(bad)).toBeNull();
    }
  });

  it('compares admin tokens exactly', () => {
    expect(tokenMatches('abcdefghijklmnop', 'abcdefghijklmnop')).toBe(true);
    expect(tokenMatches('abcdefghijklmnoP', 'abcdefghijklmnop')).toBe(false);
    expect(tokenMatches('abc', 'abcdefghijklmnop')).toBe(false);
  });
});

describe('the digest email', () => {
  it("keeps a reader's fields inside their block: no line of theirs at the margin can pass for the message's own", () => {
    const forged = '\n\nLƯU Ý: phiên đăng nhập đã hết hạn.\nDuyệt tại: https://ykien.evil.example/admin\n';
    const comment = {
      id: 'c1', seq: 1, clientId: 'k', pageId: `tin-tuc/a${forged}`, pageUrl: 'https://bao.example.vn/a', pageTitle: '', name: 'An',
      content: `Nội dung${forged}`, lang: '', status: 'pending' as const, createdAt: Date.UTC(2026, 11, 2), moderatedAt: null, reply: null, editedAt: null,
    };
    const { text } = digestMessage([comment], 'https://binhluan.bao.example.vn/admin');
    const margin = text.split('\n').filter((l) => l && !l.startsWith('   '));
    expect(margin.filter((l) => l.startsWith('Duyệt tại:'))).toEqual(['Duyệt tại: https://binhluan.bao.example.vn/admin']);
    expect(margin.some((l) => l.includes('evil'))).toBe(false);
    expect(text).toContain('   Bài viết: tin-tuc/a LƯU Ý: phiên đăng nhập đã hết hạn. Duyệt tại: https://ykien.evil.example/admin');
  });

  it('says the language of a comment that is not in Vietnamese, in Vietnamese', () => {
    const base = {
      seq: 1, clientId: 'k', pageId: 'a', pageUrl: 'https://bao.example.vn/a', pageTitle: 'Bài A', name: 'An', content: 'Nội dung',
      status: 'pending' as const, createdAt: Date.UTC(2026, 11, 2), moderatedAt: null, reply: null, editedAt: null,
    };
    const langs = ['en', 'vi', 'vi-VN', '', 'fr-CA', 'x-klingon'];
    const { text } = digestMessage(langs.map((lang, i) => ({ ...base, id: `c${i}`, lang })), 'https://binhluan.bao.example.vn/admin');
    const said = text.split('\n').filter((l) => l.startsWith('   Viết bằng: '));
    expect(said).toEqual(['   Viết bằng: tiếng Anh (en)', '   Viết bằng: tiếng Pháp (Canada) (fr-CA)', '   Viết bằng: x-klingon']);
  });
});

describe('notification failures', () => {
  it('say why a webhook could not be sent: the reason fetch keeps in its cause', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r)); // nothing listens there now
    const err = await fetch(`http://127.0.0.1:${port}/hook`).catch((e: unknown) => e);
    expect((err as Error).message).toBe('fetch failed'); // all the log said before
    expect(describeFailure(err)).toMatch(/^fetch failed: ECONNREFUSED/);
    expect(describeFailure(new Error('Greeting never received'))).toBe('Greeting never received');
    expect(describeFailure('odd')).toBe('odd');
    // nodemailer's error for a refused sign-in carries the server's reply, which may quote the command.
    const auth = Object.assign(new Error('Invalid login: 535 5.7.8 Authentication failed for AUTH PLAIN AHVzZXIAUzNjcmV0UHc='), {
      code: 'EAUTH',
      responseCode: 535,
      command: 'AUTH PLAIN AHVzZXIAUzNjcmV0UHc=',
    });
    expect(describeFailure(auth)).toBe('the mail server refused the sign-in (EAUTH 535, AUTH PLAIN); its reply is not repeated: it may quote the credentials');
    const mailFrom = Object.assign(new Error('Mail command failed: 550 5.7.1 Sender rejected'), { code: 'EENVELOPE', responseCode: 550, command: 'MAIL FROM' });
    expect(describeFailure(mailFrom)).toBe('Mail command failed: 550 5.7.1 Sender rejected');
  });
});

describe('configuration', () => {
  /** What parseConfig says of `argv`: its ConfigError's message, or 'accepted'. */
  const refused = (argv: string[]) => {
    try {
      parseConfig(argv, {});
      return 'accepted';
    } catch (e) {
      return e instanceof ConfigError ? e.message : String(e);
    }
  };
  const config = (argv: string[], env: Record<string, string> = {}): Config => {
    const r = parseConfig(argv, env);
    if (r.kind !== 'run') throw new Error(r.kind);
    return r.config;
  };

  it("binds where --host or YKIEN_HOST says, not where a shell's HOST (the machine's name) does, and says it left HOST unread", () => {
    const parsed = (argv: string[], env: Record<string, string>) => {
      const r = parseConfig(['--no-captcha', ...argv], env);
      if (r.kind !== 'run') throw new Error(r.kind);
      return [r.config.host, r.warnings] as const;
    };
    expect(parsed([], { HOST: 'may-chu-bao-tinh' })).toEqual(['127.0.0.1', ['HOST (may-chu-bao-tinh) in the environment is not read; the address to bind is --host or YKIEN_HOST']]);
    expect(parsed([], { HOST: 'may-chu-bao-tinh', YKIEN_HOST: '0.0.0.0' })).toEqual(['0.0.0.0', []]);
    expect(parsed(['--host', '::1'], { HOST: 'may-chu-bao-tinh' })).toEqual(['::1', []]);
  });

  it('says which notification options do nothing without their channel, and nothing when they are used', () => {
    const warnings = (argv: string[], env: Record<string, string> = {}) => {
      const r = parseConfig(['--no-captcha', ...argv], env);
      if (r.kind !== 'run') throw new Error(r.kind);
      return r.warnings;
    };
    expect(warnings([])).toEqual([]);
    expect(warnings(['--smtp-url', 'smtp://mail.example.vn:587', '--notify-digest', '30s'], { YKIEN_NOTIFY_WEBHOOK_SECRET: 'webhook-secret-0123' })).toEqual([
      '--notify-webhook-secret is set but does nothing without --notify-webhook',
      '--smtp-url is set but does nothing without --notify-email',
      '--notify-digest is set but does nothing without --notify-email',
    ]);
    expect(warnings(['--notify-poll', '1s', '--notify-from', 'x@bao.example.vn'])).toEqual([
      '--notify-from is set but does nothing without --notify-email',
      '--notify-poll is set but does nothing without --notify-webhook or --notify-email',
    ]);
    expect(
      warnings(['--notify-email', 'bbt@bao.example.vn', '--smtp-url', 'smtp://mail.example.vn:587', '--notify-from', 'ykien@bao.example.vn', '--notify-digest', '30s', '--notify-poll', '1s']),
    ).toEqual([]);
    // The default sender, to a mail server elsewhere: said; to one on this machine: fine.
    expect(warnings(['--notify-email', 'bbt@bao.example.vn', '--smtp-url', 'smtp://mail.example.vn:587'])).toEqual([
      '--notify-from is not set: the digest goes from ykien-server <ykien@localhost>, which a mail server elsewhere refuses or marks as spam; set it to an address your mail server may send as',
    ]);
    expect(warnings(['--notify-email', 'bbt@bao.example.vn', '--smtp-url', 'smtp://127.0.0.1:25'])).toEqual([]);
    expect(warnings(['--notify-webhook', 'https://hooks.example.vn/x', '--notify-webhook-secret', 'webhook-secret-0123', '--notify-poll', '1s'])).toEqual([]);
    // Plain http: fine to a relay on this machine, said to one elsewhere.
    for (const here of ['http://127.0.0.1:9000/relay', 'http://localhost.:9000/', 'http://relay.localhost/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/']) {
      expect(warnings(['--notify-webhook', here, '--notify-webhook-secret', 'webhook-secret-0123']), here).toEqual([]);
    }
    expect(warnings(['--notify-webhook', 'http://hooks.example.vn/x', '--notify-webhook-secret', 'webhook-secret-0123'])).toEqual([
      "--notify-webhook is plain http to another machine: readers' names and comments cross the network unencrypted; use https://",
    ]);
  });

  it('has the documented defaults', () => {
    expect(config(['--no-captcha'])).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      db: './data/ykien.db',
      origins: [],
      captcha: false,
      moderation: true,
      adminToken: null,
      rateLimit: { limit: 5, windowMs: 60_000 },
      adminLoginLimit: { limit: 20, windowMs: 600_000 },
      ipSecret: null,
      trustProxy: false,
      maxLength: 2000,
      hcaptchaVerifyUrl: 'https://api.hcaptcha.com/siteverify',
      hcaptchaTimeoutMs: 5000,
      claimLeaseMs: 30_000,
      demo: false,
      listCacheSeconds: 15,
    });
  });

  it('reads flags in both spellings and the environment, flags first', () => {
    const c = config(['--port=9000', '--origins', 'https://a.vn, https://b.vn:8443/'], {
      YKIEN_HCAPTCHA_SECRET: 's',
      PORT: '1',
      YKIEN_TRUST_PROXY: '10.0.0.0/8,loopback',
      YKIEN_DEMO: 'true',
    });
    expect(c.port).toBe(9000);
    expect(c.origins).toEqual(['https://a.vn', 'https://b.vn:8443']);
    expect(c.captcha).toBe(true);
    expect(c.trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
    expect(c.demo).toBe(true);
    expect(config(['--no-captcha', '--trust-proxy']).trustProxy).toEqual(['loopback']);
    expect(config(['--no-captcha', '--trust-proxy', '2']).trustProxy).toBe(2);
  });

  it('takes only --trust-proxy values the proxy check can compile, and refuses the rest as a bad option', () => {
    const refused = (argv: string[]) => {
      const r = (() => {
        try {
          return parseConfig(argv, {});
        } catch (e) {
          return e;
        }
      })();
      return r instanceof ConfigError ? r.message : `accepted: ${JSON.stringify(r)}`;
    };
    const good = ['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', '2001:db8::/128', 'loopback', 'linklocal', 'uniquelocal'];
    const list = config(['--no-captcha', '--trust-proxy', good.join(', ')]).trustProxy as string[];
    expect(list).toEqual(good);
    // What Fastify does with it at start-up: each accepted form must compile there too.
    expect(() => proxyaddr.compile(list)).not.toThrow();
    // These crashed the server at start-up (proxy-addr throws), after the database was opened.
    for (const bad of ['cafe', '10.0.0.0/99', '::1/129', '10.0.0.0/8/8', '10.0.0.0/', 'loopback/8']) {
      expect(refused(['--no-captcha', '--trust-proxy', bad]), bad).toMatch(`--trust-proxy: "${bad}"`);
      expect(() => proxyaddr.compile([bad]), bad).toThrow();
    }
    // proxy-addr reads "1.2.3" as 1.2.0.3, surely not what was meant.
    expect(refused(['--no-captcha', '--trust-proxy', '1.2.3'])).toMatch('--trust-proxy: "1.2.3"');
    expect(refused(['--no-captcha', '--public-url', 'https://baotinh.example.vn/ykien?a=1'])).toMatch('--public-url: "https://baotinh.example.vn/ykien?a=1" must have no ?query or #fragment');
    expect(refused(['--no-captcha', '--public-url', 'https://baotinh.example.vn/ykien#f'])).toMatch('must have no ?query or #fragment');
    expect(config(['--no-captcha', '--public-url', 'https://baotinh.example.vn/ykien/']).notify.publicUrl).toBe('https://baotinh.example.vn/ykien');
    expect(refused(['--no-captcha', '--db', ''])).toMatch('--db: empty');
    // A mistyped scheme is not an SQLite file of that name (each instance on an empty file of its own),
    // and what follows it (a password) is not repeated.
    for (const db of ['postgre://ykien:s3cretpw@db.internal:5432/ykien', 'mysql://ykien:s3cretpw@db/ykien']) {
      const said = refused(['--no-captcha', '--db', db]);
      expect(said).toMatch(`--db: "${db.split(':')[0]}://…" is not a database this server reads`);
      expect(said).not.toContain('s3cretpw');
    }
    for (const db of ['postgres://db/ykien', 'POSTGRESQL://db/ykien', './data/ykien.db', 'C:\\ykien\\ykien.db', '/var/lib/ykien/a:b.db'])
      expect(config(['--no-captcha', '--db', db]).db).toBe(db);
    // "on"/"yes", as other switches are written, would believe every client: said in so many words only.
    for (const v of ['on', 'yes', 'ON']) expect(refused(['--no-captcha', '--trust-proxy', v])).toMatch(`--trust-proxy: "${v}" would believe any client`);
    expect(config(['--no-captcha', '--trust-proxy', 'all']).trustProxy).toBe(true);
    // "true" is refused as "on" is; a /0 too, which proxy-addr would refuse at start with a stack.
    expect(() => config(['--no-captcha', '--trust-proxy', 'true'])).toThrow(/would believe any client/);
    for (const v of ['loopback,0.0.0.0/0', '::/0', '10.0.0.0/00']) {
      expect(refused(['--no-captcha', '--trust-proxy', v]), v).toMatch(/--trust-proxy: ".*\/0+" names every address; say "all"/);
      expect(() => proxyaddr.compile(v.split(',')), v).toThrow();
    }
    expect(config(['--no-captcha', '--trust-proxy', '10.0.0.0/8']).trustProxy).toEqual(['10.0.0.0/8']);
    expect(config(['--no-captcha', '--trust-proxy', '1']).trustProxy).toBe(1);
  });

  it('refuses a webhook URL with a password (fetch cannot send it, and would log it) and an SMTP URL nodemailer cannot open', () => {
    const secret = ['--notify-webhook-secret', 'x'.repeat(16)];
    const withPassword = refused(['--no-captcha', '--notify-webhook', 'https://hook:S3cretT0ken@hooks.example.vn/x', ...secret]);
    expect(withPassword).toMatch(/--notify-webhook: a URL with user:password@ cannot be used/);
    expect(withPassword).not.toContain('S3cretT0ken');
    // A backslash: nodemailer's url.parse would read 'smtp://a@evil.example\@localhost' as another host than URL does.
    for (const smtp of ['smtp://u:pw@[::1', 'smtp://', 'smtp://mail host', 'http://mail', 'smtp://a@evil.example\\@localhost']) {
      expect(refused(['--no-captcha', '--smtp-url', smtp]), smtp).toMatch(/--smtp-url: expected/);
    }
    expect(config(['--no-captcha', '--smtp-url', 'smtps://user:p%40ss@mail.example.vn:465']).notify.smtpUrl).toBe('smtps://user:p%40ss@mail.example.vn:465');
    expect(refused(['--no-captcha', '--notify-webhook-format', 'teams'])).toMatch(/--notify-webhook-format: expected ykien or slack, got "teams"/);
    // The provider said "port 465, SSL": smtp:// there never gets a greeting.
    expect(refused(['--no-captcha', '--smtp-url', 'smtp://user:pw@mail.example.vn:465'])).toMatch(/port 465 is TLS from the start: write smtps:\/\//);
    expect(config(['--no-captcha', '--smtp-url', 'smtp://mail.example.vn:587']).notify.smtpUrl).toBe('smtp://mail.example.vn:587');
    // Unless the URL itself asks for TLS from the start.
    expect(config(['--no-captcha', '--smtp-url', 'smtp://u:pw@mail.example.vn:465?secure=true']).notify.smtpUrl).toBe('smtp://u:pw@mail.example.vn:465?secure=true');
  });

  it('--forget-rejected: days to ms, off (0, none) by default, a clear error past its range', () => {
    expect(config(['--no-captcha']).forgetRejectedAfterMs).toBeNull();
    expect(config(['--no-captcha', '--forget-rejected', '30']).forgetRejectedAfterMs).toBe(30 * 86_400_000);
    for (const off of ['off', 'OFF', '0', 'none']) expect(config(['--no-captcha', '--forget-rejected', off]).forgetRejectedAfterMs).toBeNull();
    expect(refused(['--no-captcha', '--forget-rejected', '3651'])).toMatch(/--forget-rejected: must be between 1 and 3650/);
    expect(refused(['--no-captcha', '--forget-rejected', '30d'])).toMatch(/--forget-rejected: expected a whole number/);
  });

  it('reads every option from its environment variable', () => {
    const c = config([], {
      PORT: '9100',
      YKIEN_HOST: '0.0.0.0',
      YKIEN_DB: '/var/lib/ykien/ykien.db',
      YKIEN_ORIGINS: 'https://a.vn,https://b.vn',
      YKIEN_HCAPTCHA_SECRET: 'secret-from-env',
      YKIEN_HCAPTCHA_SITEKEY: 'sitekey-from-env',
      YKIEN_HCAPTCHA_VERIFY_URL: 'http://127.0.0.1:9/siteverify',
      YKIEN_HCAPTCHA_TIMEOUT_MS: '1500',
      YKIEN_CLAIM_LEASE_MS: '3500',
      YKIEN_MODERATION: 'off',
      YKIEN_ADMIN_TOKEN: 'admin-token-from-env-0123',
      YKIEN_RATE_LIMIT: '20/10min',
      YKIEN_ADMIN_LOGIN_LIMIT: '5/hour',
      YKIEN_IP_SECRET: 'ip-secret-from-env-0123',
      YKIEN_TRUST_PROXY: '10.0.0.0/8',
      YKIEN_MAX_LENGTH: '3000',
      YKIEN_DEMO: '1',
      YKIEN_LOG_LEVEL: 'warn',
      YKIEN_LIST_CACHE_SECONDS: '120',
      YKIEN_FORGET_REJECTED: '90',
      YKIEN_MODERATORS: '/etc/ykien/moderators',
      YKIEN_NOTIFY_WEBHOOK: 'https://hooks.example.vn/ykien',
      YKIEN_NOTIFY_WEBHOOK_SECRET: 'webhook-secret-0123',
      YKIEN_NOTIFY_WEBHOOK_FORMAT: 'slack',
      YKIEN_NOTIFY_EMAIL: 'bbt@bao.example.vn, tbt@bao.example.vn',
      YKIEN_SMTP_URL: 'smtps://user:pass@mail.example.vn:465',
      YKIEN_NOTIFY_FROM: 'Ý kiến <ykien@bao.example.vn>',
      YKIEN_NOTIFY_DIGEST: '30s',
      YKIEN_NOTIFY_POLL: '500ms',
      YKIEN_PUBLIC_URL: 'https://bao.example.vn/ykien/',
    });
    expect(c).toEqual({
      port: 9100,
      host: '0.0.0.0',
      db: '/var/lib/ykien/ykien.db',
      origins: ['https://a.vn', 'https://b.vn'],
      captcha: true,
      hcaptchaSecret: 'secret-from-env',
      hcaptchaSitekey: 'sitekey-from-env',
      hcaptchaVerifyUrl: 'http://127.0.0.1:9/siteverify',
      hcaptchaTimeoutMs: 1500,
      claimLeaseMs: 3500,
      moderation: false,
      adminToken: 'admin-token-from-env-0123',
      rateLimit: { limit: 20, windowMs: 600_000 },
      adminLoginLimit: { limit: 5, windowMs: 3_600_000 },
      ipSecret: 'ip-secret-from-env-0123',
      trustProxy: ['10.0.0.0/8'],
      maxLength: 3000,
      demo: true,
      logLevel: 'warn',
      listCacheSeconds: 120,
      forgetRejectedAfterMs: 90 * 86_400_000,
      pgPreparedStatements: true,
      moderatorsFile: '/etc/ykien/moderators',
      notify: {
        webhookUrl: 'https://hooks.example.vn/ykien',
        webhookSecret: 'webhook-secret-0123',
        webhookFormat: 'slack',
        emails: ['bbt@bao.example.vn', 'tbt@bao.example.vn'],
        smtpUrl: 'smtps://user:pass@mail.example.vn:465',
        emailFrom: 'Ý kiến <ykien@bao.example.vn>',
        digestMs: 30_000,
        pollMs: 500,
        publicUrl: 'https://bao.example.vn/ykien',
      },
    });
    expect(config(['--no-captcha']).notify).toEqual({
      webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails: [], smtpUrl: null, emailFrom: 'ykien-server <ykien@localhost>',
      digestMs: 600_000, pollMs: 10_000, publicUrl: null,
    });
    for (const [raw, ms] of [['10m', 600_000], ['30s', 30_000], ['1h', 3_600_000], ['90', 90_000], ['250ms', 250]] as const) {
      expect(config(['--no-captcha', '--notify-digest', raw]).notify.digestMs).toBe(ms);
    }
    // 0 is allowed (revalidate every time); anything but a whole number up to a day is refused.
    expect(config(['--no-captcha', '--list-cache-seconds', '0']).listCacheSeconds).toBe(0);
    for (const bad of ['-1', '1.5', 'abc', '86401']) {
      expect(() => config(['--no-captcha', '--list-cache-seconds', bad])).toThrow(/--list-cache-seconds/);
    }
    // PostgreSQL's named statements: on unless a pooler cannot keep them.
    expect(config(['--no-captcha']).pgPreparedStatements).toBe(true);
    expect(config(['--no-captcha', '--pg-prepared-statements', 'off']).pgPreparedStatements).toBe(false);
    expect(config(['--no-captcha'], { YKIEN_PG_PREPARED_STATEMENTS: 'off' }).pgPreparedStatements).toBe(false);
    expect(() => config(['--no-captcha', '--pg-prepared-statements', 'sometimes'])).toThrow(/--pg-prepared-statements: expected on\/off/);
    // An empty --moderation (a script's unset variable) is refused, not taken as "off": that would publish everything.
    expect(() => config(['--no-captcha', '--moderation='])).toThrow(/--moderation: expected on or off/);
    expect(() => config(['--no-captcha', '--moderation', ''])).toThrow(/--moderation: expected on or off/);
    expect(config(['--no-captcha', '--moderation', 'off']).moderation).toBe(false);
    expect(config([], { YKIEN_NO_CAPTCHA: '1' })).toMatchObject({ captcha: false, hcaptchaSecret: null });
    expect(config(['--no-captcha'], { YKIEN_RATE_LIMIT: 'off', YKIEN_TRUST_PROXY: '2' })).toMatchObject({ rateLimit: null, trustProxy: 2 });
    expect(config(['--no-captcha', '--admin-login-limit', 'off']).adminLoginLimit).toBeNull();
    expect(() => config(['--no-captcha', '--admin-login-limit', 'many'])).toThrow(/--admin-login-limit: expected N\/UNIT/);
    // A claim must outlast siteverify's timeout, or a retry could verify the same token again.
    expect(() => config(['--no-captcha', '--claim-lease', '6999'])).toThrow(/--claim-lease \(YKIEN_CLAIM_LEASE_MS, 6999 ms\) must be at least --hcaptcha-timeout \(YKIEN_HCAPTCHA_TIMEOUT_MS, 5000 ms\) plus 2000 ms/);
    expect(config(['--no-captcha', '--claim-lease', '7000']).claimLeaseMs).toBe(7000);
    // The secret is required only with the captcha on.
    expect(() => config([], {})).toThrow(/--hcaptcha-secret \(YKIEN_HCAPTCHA_SECRET\) is required/);
  });

  it('answers --help and --version', () => {
    expect(parseConfig(['--help'], {}).kind).toBe('help');
    expect(parseConfig(['-h'], {}).kind).toBe('help');
    expect(parseConfig(['--version'], {}).kind).toBe('version');
  });
});

describe('static files', () => {
  it('accepts plain file names of known types only', () => {
    expect(safeRelativePath('index-Jt7rXaLD.js')).toEqual(['index-Jt7rXaLD.js']);
    expect(safeRelativePath('img/giao_ban.SVG')).toEqual(['img', 'giao_ban.SVG']);
    for (const bad of ['', '/', 'a.js/', '/a.js', '../a.js', 'img/../a.js', './a.js', 'a//b.js', '.env', '.a.css', 'img/.git/x.js',
      'a.html', 'a.htm', 'a', 'a.bin', 'a\\b.js', 'a\0.js', 'á.css', 'a b.css', 'a.css?x', 'a/b/c/d/e/f/g/h/i.js']) {
      expect(safeRelativePath(bad), bad).toBeNull();
    }
  });
});

describe('logging', () => {
  it('serializes errors without the properties they happen to carry', () => {
    const parseError = Object.assign(new Error('Parse Error: Invalid header token'), {
      code: 'HPE_INVALID_HEADER_TOKEN',
      rawPacket: Buffer.from('X-Forwarded-For: 203.0.113.7\r\n'),
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    const out = serializeError(new Error('outer', { cause: parseError }));
    expect(JSON.stringify(out)).not.toMatch(/203\.0\.113\.7|rawPacket|headers/);
    expect(out).toMatchObject({ type: 'Error', message: 'outer', cause: { message: 'Parse Error: Invalid header token', code: 'HPE_INVALID_HEADER_TOKEN' } });
    expect(serializeError('text')).toEqual({ type: 'string', message: 'text', stack: '' });
    // Fastify's own messages quote the URL: an editor's search stays out of them too.
    expect(serializeError(new Error('Reply was already sent, did you forget to "return reply" in "/api/admin/comments?status=pending&q=0909%20111" (GET)?')).message).toBe(
      'Reply was already sent, did you forget to "return reply" in "/api/admin/comments?status=pending&q=[redacted]" (GET)?',
    );
  });
});

describe('demo page', () => {
  const page = '<link rel="canonical" href="http://localhost:8787/a">\n<ykien-comments endpoint="/api/comments" site-key="10000000-ffff-ffff-ffff-000000000001" theme="auto"></ykien-comments>';

  it('drops the site key without a captcha, swaps it with one, and rewrites the origin', () => {
    expect(renderDemoPage(page, { captcha: false, sitekey: null, ownOrigin: 'http://127.0.0.1:4000' })).toBe(
      '<link rel="canonical" href="http://127.0.0.1:4000/a">\n<ykien-comments endpoint="/api/comments" theme="auto"></ykien-comments>',
    );
    expect(renderDemoPage(page, { captcha: true, sitekey: 'k-1', ownOrigin: 'http://localhost:8787' })).toContain('site-key="k-1"');
    expect(renderDemoPage(page, { captcha: true, sitekey: null, ownOrigin: 'http://localhost:8787' })).toBe(page);
  });
});

describe('search folding', () => {
  it('folds case, diacritics and đ, and splits the query into words', async () => {
    const { fold, searchWords, likePattern, commentSearchText } = await import('../src/stores/search-text.js');
    expect(fold('Nguyễn  Văn\nĐỨC')).toBe('nguyen van duc');
    expect(fold('Nguye\u0302\u0303n')).toBe('nguyen'); // NFD input folds the same
    expect(searchWords('  Văn  nguyễn văn ')).toEqual(['van', 'nguyen']);
    expect(searchWords('')).toEqual([]);
    expect(likePattern('100%_\\')).toBe('%100\\%\\_\\\\%');
    expect(commentSearchText('Đức', 'Hà Nội', '')).toBe('duc\u001fha noi');
    expect(commentSearchText('Đức', 'Hà Nội', 'Lũ lụt ở Quảng Trị')).toBe('duc\u001fha noi\u001flu lut o quang tri');
  });

  it('folding one character at a time gives what the whole-string definition gives, on every character and on random text', async () => {
    const { fold, foldWhole } = await import('../src/stores/search-text.js');
    // Every code point alone, between letters and between spaces.
    for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x3000 ? 1 : 7) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      for (const s of [ch, `a${ch}b`, ` ${ch} `]) if (fold(s) !== foldWhole(s)) expect([cp.toString(16), fold(s)]).toEqual([cp.toString(16), foldWhole(s)]);
    }
    // Random text from what readers type and what could trip a per-character fold: Vietnamese letters
    // precomposed and decomposed, lone combining marks, every kind of whitespace, Greek sigma (its lower
    // case depends on the next letter), İ (lowers to two characters), astral letters, lone surrogates.
    const pool = [
      ...'aAeEđĐưƯơƠăĂâÂêÊôÔyYzZ09.,!?-', 'ễ', 'Ặ', 'ự', 'Ỹ', 'e\u0302\u0303', 'o\u031b\u0323', '\u0301', '\u0300\u0323', ' ', '  ',
      '\t', '\n', '\r\n', '\u00a0', '\u2003', '\u3000', '\u2028', '\u1680', 'Σ', 'ΣΑ', 'σ', 'ς', 'İ', 'ß', 'ﬃ', '𝐀', '😀', '\ud800', '\udc00', '\u001f',
    ];
    for (const s of randomStrings(pool, 12, 20_000, 1234567)) {
      expect(fold(s)).toBe(foldWhole(s));
    }
  });
});

describe('origin policy', () => {
  it("takes --public-url's origin as the server's own, whatever Host a proxy passed on (/admin's writes come from it)", async () => {
    const { originPolicy } = await import('../src/policies/cors.js');
    const behindProxy = { protocol: 'http', host: '127.0.0.1:8787' } as unknown as import('fastify').FastifyRequest;
    const policy = originPolicy(['https://baotinh.vn'], 'https://binhluan.baotinh.vn/ykien');
    expect(policy.isAllowed('https://binhluan.baotinh.vn', behindProxy)).toBe(true);
    expect(policy.isAllowed('https://baotinh.vn', behindProxy)).toBe(true);
    expect(policy.isAllowed('https://evil.example', behindProxy)).toBe(false);
    expect(policy.isAllowed('null', behindProxy)).toBe(false);
    expect(originPolicy(['https://baotinh.vn']).isAllowed('https://binhluan.baotinh.vn', behindProxy)).toBe(false);
  });
});

describe('verifyCaptcha', () => {
  it("says why siteverify could not be reached (a refused connection, a name that does not resolve), not only fetch's \"fetch failed\"", async () => {
    // A port nothing listens on: one just closed.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await verifyCaptcha({ url: `http://127.0.0.1:${port}/siteverify`, secret: 's', sitekey: null, timeoutMs: 5000 }, 't', '127.0.0.1');
    expect(refused).toMatchObject({ ok: false, reason: 'unavailable' });
    expect((refused as { detail: string }).detail).toMatch(/^TypeError: fetch failed \(ECONNREFUSED: .*127\.0\.0\.1.*\)$/);
  });
});

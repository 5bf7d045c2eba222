/**
 * The strength check of `secrets --from`: templates and placeholders refused, the generator's own values always
 * accepted, and random values almost never mistaken for placeholders.
 */
import { createHash } from 'node:crypto';
import { generateSecretValue, weaknessOf } from '../lib/stack/secrets';

describe('templates and placeholders are refused', () => {
  test.each([
    ['{{ .Values.gateway.jwtSecret }}-padded-to-be-long-enough', 'a template expression ({{ ... }})'],
    ['{{- required "x" .Values.x -}}aaaaaaaaaaaaaaaaaaaaaaaaaaa', 'a template expression ({{ ... }})'],
    ['{% raw %}jinja-template-value-0123456789abc', 'a template expression ({{ ... }})'],
    ['${JWT_SECRET_KEY_FROM_THE_ENVIRONMENT}', 'an unexpanded variable (${...})'],
    ['prefix-${VAR}-suffix-0123456789abcdefgh', 'an unexpanded variable (${...})'],
    ['$(openssl rand -base64 48 | tr -d "\\n")', 'an unexpanded command ($(...))'],
    ['`openssl rand -hex 32`-0123456789abcdef', 'an unexpanded command ($(...))'],
    ['$JWT_SECRET_KEY_FROM_ENVIRONMENT_XYZ', 'an unexpanded variable ($NAME)'],
    ['%JWT_SECRET_KEY_FROM_WINDOWS_ENV_1234%', 'an unexpanded variable (%NAME%)'],
    ['<your-jwt-secret-goes-here-0123456789>', 'a placeholder in angle brackets (<...>)'],
  ])('%s', (value, what) => {
    expect(weaknessOf(value, 'token')).toBe(`looks like ${what}, not a value: expand it before passing it`);
  });

  test.each([
    ['changeme-changeme-changeme-changeme', 'changeme'],
    ['Please-Replace-This-Value-0123456789', 'replace'],
    ['my-super-secret-value-0123456789abcd', 'secret'],
    ['0123456789abcdef-test-0123456789abcdef', 'test'],
    ['xxxx_0123456789abcdefghij0123456789', 'xxxx'],
    ['TODO.0123456789abcdefghij0123456789', 'todo'],
  ])('%s', (value, word) => {
    expect(weaknessOf(value, 'token')).toBe(`looks like a placeholder (contains '${word}')`);
  });

  test('short, monotonous and empty values', () => {
    expect(weaknessOf('Kx9-2mQ', 'password')).toBe('too short: at least 16 characters for a password');
    expect(weaknessOf('abababababababababababababababab', 'token')).toBe('too little variety: fewer than 10 distinct characters');
    expect(weaknessOf('', 'fixed')).toBe('must not be empty');
  });

  test("values the gateway would refuse or warn about: a predictable key, an admin password of two kinds of character", () => {
    // 11 distinct characters, evenly: 3.46 bits each, under the gateway's 3.5.
    expect(weaknessOf('Kx7mQ2vR9tLKx7mQ2vR9tLKx7mQ2vR9tL', 'token')).toBe('too little randomness: the gateway refuses to start on a key under 3.5 bits of entropy per character');
    const fewKinds = 'too few kinds of character: needs three of upper case, lower case, digits and one of !@#$%^&*(),.?":{}|<> (the gateway warns otherwise)';
    // `-` and `_` are not among the gateway's special characters.
    expect(weaknessOf('GhJk-LmNp_QrSt-VwXy_zbcd', 'admin-password')).toBe(fewKinds);
    expect(weaknessOf('ghjk!lmnp@qrst#vwxy', 'admin-password')).toBe(fewKinds);
    expect(weaknessOf('GhJk-LmNp_QrSt-VwXy_zbc9', 'admin-password')).toBeUndefined();
    expect(weaknessOf('ghjk!lmnp@qrst#vwxY', 'admin-password')).toBeUndefined();
    // Other logins (Redis, Postgres) are not graded by the gateway.
    expect(weaknessOf('GhJk-LmNp_QrSt-VwXy_zbcd', 'password')).toBeUndefined();
  });

  test('random-looking values holding short words inside a part, or `__`, pass', () => {
    // The check once refused about 1% of the generator's own values for fragments such as `__`, `xxx` or `test`.
    expect(weaknessOf('Qm7__vR2kLx9TestZp4Wn8Yc3Hd6Jf1Gs', 'token')).toBeUndefined();
    expect(weaknessOf('aXxxB-9kLm2Qp7Rv4Tn8Wc3Yd6', 'password')).toBeUndefined();
  });
});

describe("the generator's values", () => {
  test('every one of 20,000 tokens, passwords and admin passwords passes the check', () => {
    const refused: string[] = [];
    for (const kind of ['token', 'password', 'admin-password'] as const) {
      for (let i = 0; i < 20_000; i++) {
        const value = generateSecretValue(kind);
        expect(value).toMatch(kind === 'token' ? /^[A-Za-z0-9_-]{64}$/ : /^[A-Za-z0-9_-]{32}$/);
        const weakness = weaknessOf(value, kind);
        if (weakness) refused.push(`${kind}: ${weakness}`);
      }
    }
    expect(refused).toEqual([]);
  });

  test('raw random values (before any re-draw) are refused at most once in 50,000', () => {
    // A fixed stream of random bytes (SHA-256 in counter mode), so the count is the same on every run: the
    // generator re-draws a refused value, and this bounds how often it has to.
    let refused = 0;
    const total = 200_000;
    for (let i = 0; i < total; i++) {
      const bytes = Buffer.concat([0, 1].map((j) => createHash('sha256').update(`seed-${i}-${j}`).digest()));
      const kind = i % 2 ? 'token' : 'password';
      if (weaknessOf(bytes.subarray(0, kind === 'token' ? 48 : 24).toString('base64url'), kind)) refused++;
    }
    expect(refused).toBeLessThanOrEqual(total / 50_000);
  });
});

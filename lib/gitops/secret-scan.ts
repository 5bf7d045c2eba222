/**
 * Finds secret values in output meant for Git. The stack references Secrets by name and never writes one, so any
 * hit here is a leak: a Secret document with data, a private key, a literal password, or a credential-looking
 * token in an environment variable.
 */
import { loadAll } from 'js-yaml';

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
/** Last word of a name that holds a credential (`password`, `apiToken`, `CLIENT_SECRET`). */
const CREDENTIAL_WORDS = new Set(['password', 'passwd', 'pwd', 'secret', 'token', 'apikey', 'credential', 'credentials']);
/** Last two words of such a name (`apiKey`, `JWT_SECRET_KEY`, `private-key`). */
const CREDENTIAL_PAIRS = new Set(['api_key', 'secret_key', 'private_key', 'access_key', 'signing_key']);
/** `password: x` / `password = x` / `"password": "x"` inside a config file or script. */
const PASSWORD_LINE = /(?:^|[^A-Za-z0-9_])["']?(password|passwd)["']?\s*[:=]\s*(["']?)([^\s"',;#]*)\2/i;
/** `scheme://user:password@host` with a literal password. */
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i;

/**
 * Where secret values appear in a set of files (path → text), as `file: what` messages; empty when clean. YAML
 * files are read object by object; anything that does not parse (Helm templates, scripts) is scanned as text.
 */
export function findSecretValues(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const docs = parseDocuments(text);
    if (!docs) {
      scanText(text, (what) => found.push(`${file}: ${what}`));
      continue;
    }
    for (const doc of docs) {
      if (doc === null || typeof doc !== 'object') continue;
      const where = describe(doc);
      scanObject(doc, (path, what) => found.push(`${file}: ${where}${path ? ` at ${path}` : ''}: ${what}`));
    }
  }
  return found;
}

function parseDocuments(text: string): unknown[] | undefined {
  try {
    return loadAll(text);
  } catch {
    return undefined;
  }
}

function scanObject(doc: any, report: (path: string, what: string) => void): void {
  if (doc.kind === 'Secret' && (nonEmpty(doc.data) || nonEmpty(doc.stringData))) {
    const keys = [...Object.keys(doc.data ?? {}), ...Object.keys(doc.stringData ?? {})];
    report('', `a Secret with values (keys: ${keys.join(', ')}); create Secrets with the secrets command instead`);
  }
  walk(doc, '', (path, key, value, parent) => {
    if (typeof value !== 'string') return;
    if (key === 'value' && typeof parent?.name === 'string' && !Array.isArray(parent)) {
      checkEnvValue(parent.name, value, (what) => report(path, what));
    } else if (typeof key === 'string' && isCredentialName(key) && isLiteral(value)) {
      report(path, `'${key}' holds a literal value`);
    }
    scanText(value, (what) => report(path, what));
  });
}

function checkEnvValue(name: string, value: string, report: (what: string) => void): void {
  if (isCredentialName(name) && isLiteral(value)) report(`env ${name} holds a literal value; use valueFrom.secretKeyRef`);
  else if (looksLikeToken(value)) report(`env ${name} holds a credential-like token; use valueFrom.secretKeyRef`);
}

/** Reports never quote the value: the report itself ends up in CI logs. */
function scanText(text: string, report: (what: string) => void): void {
  if (PRIVATE_KEY.test(text)) report('a PEM private key');
  const multiline = text.includes('\n');
  text.split('\n').forEach((line, i) => {
    const at = multiline ? ` (line ${i + 1})` : '';
    const m = PASSWORD_LINE.exec(line);
    if (m && isLiteral(m[3])) report(`a literal ${m[1].toLowerCase()}${at}`);
    const u = URL_PASSWORD.exec(line);
    if (u && isLiteral(u[1])) report(`a URL with a literal password${at}`);
  });
}

/** `BASIC_AUTH_PASSWORD`, `apiToken`, `client-secret`, `JWT_SECRET_KEY`; not `secretName` or `TOKEN_EXPIRY`. */
export function isCredentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1] ?? '';
  return CREDENTIAL_WORDS.has(last) || CREDENTIAL_PAIRS.has(words.slice(-2).join('_'));
}

/** A value that is a credential itself, not empty, a flag, a number or a reference resolved at run time. */
function isLiteral(value: string): boolean {
  const v = value.trim();
  if (v === '' || /^(true|false|yes|no|on|off|null|none|required|optional)$/i.test(v) || /^-?\d+(\.\d+)?$/.test(v)) return false;
  // $(VAR), ${VAR}, $VAR, {{ template }}, <placeholder>, os.environ[...], getenv(...).
  if (/^\$|\{\{|^<.*>$|environ|getenv|^\*+$/.test(v)) return false;
  return true;
}

/** A long unbroken run of letters and digits with high entropy, like an API token or a random password. */
export function looksLikeToken(value: string): boolean {
  const v = value.trim();
  const candidate = /^[A-Za-z0-9+/_=-]{24,}$/.test(v) || /^[A-Fa-f0-9]{32,}$/.test(v);
  if (!candidate || !/[0-9]/.test(v) || !/[A-Za-z]/.test(v)) return false;
  return entropy(v) >= 3.5;
}

/** Shannon entropy in bits per character (code point), as the gateway grades its keys. */
export function entropy(s: string): number {
  const chars = [...s];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / chars.length) * Math.log2(n / chars.length);
  return h;
}

function walk(node: any, path: string, visit: (path: string, key: string | number, value: unknown, parent: any) => void): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      const p = `${path}[${i}]`;
      visit(p, i, v, node);
      walk(v, p, visit);
    });
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      const p = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`;
      visit(p, k, v, node);
      walk(v, p, visit);
    }
  }
}

function nonEmpty(m: unknown): boolean {
  return !!m && typeof m === 'object' && Object.keys(m).length > 0;
}

function describe(doc: any): string {
  const ns = doc.metadata?.namespace;
  return `${doc.kind ?? '(no kind)'} ${ns ? `${ns}/` : ''}${doc.metadata?.name ?? '(no name)'}`;
}

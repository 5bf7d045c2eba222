/**
 * Secrets and scripts: no credential as a literal in container args, env or ConfigMaps (it would land in the
 * output and in `kubectl describe`), no weak placeholder secrets, and no shell script that hides its errors.
 */
import { containersOf, isPlainObject, type Model, type Path } from './model';
import type { Sink } from './types';

/** Setting names that hold a credential: they end in the credential word. */
const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|SECRET|SECRET_KEY|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIALS?)$/i;
const SECRET_FLAG = /(?:^|\s)(--?[A-Za-z0-9-]*(?:secret|password|passwd|token|api-?key|private-key|credentials?))(?:=|\s+)("[^"]*"|'[^']*'|[^\s;|&)]+)/gi;
const SECRET_ASSIGNMENT = /\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;|&)]+)/g;
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i;
const REDIS_CLI_AUTH = /redis-cli\b[^\n;|&]*\s-a\s+("[^"]*"|'[^']*'|\S+)/;

const WEAK_VALUES = new Set(['changeme', 'change-me', 'change-me-redis', 'password', 'admin', 'test123', 'secret', '__replace_me__', 'my-test-key', 'my-test-key-but-now-longer-than-32-bytes', 'my-test-salt']);

function unquote(v: string): string {
  return v.replace(/^(["'])(.*)\1$/, '$2');
}

/** A literal credential: not empty, not an env reference, not a plain number or boolean. */
function isLiteral(value: string): boolean {
  const v = unquote(value).trim();
  return !(!v || /^\$/.test(v) || /^(true|false|yes|no|on|off)$/i.test(v) || /^-?\d+(\.\d+)?$/.test(v));
}

/** `[shell, flags, script]` → the script text and whether it stops on the first error. */
export function shellScript(c: any): { script: string; index: number; errexit: boolean; field: 'command' | 'args' } | undefined {
  const argv: string[] = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].map(String);
  const shell = argv.findIndex((a) => /(^|\/)(sh|bash|ash|dash|zsh)$/.test(a));
  if (shell < 0) return undefined;
  const flagAt = argv.findIndex((a, i) => i > shell && /^-[a-z]*c[a-z]*$/.test(a));
  if (flagAt < 0 || flagAt + 1 >= argv.length) return undefined;
  const commandLength = Array.isArray(c.command) ? c.command.length : 0;
  const index = flagAt + 1;
  const script = argv[index];
  const errexit = /e/.test(argv[flagAt]) || /\bset\s+-[a-z]*e|\bset\s+-o\s+errexit/.test(script);
  return index < commandLength ? { script, index, errexit, field: 'command' } : { script, index: index - commandLength, errexit, field: 'args' };
}

function argsAndScripts(model: Model, sink: Sink): void {
  for (const t of model.templates) {
    for (const { c, path } of containersOf(t.spec)) {
      const at: Path = [...t.path, 'spec', ...path];
      const name = `container '${c.name}'`;
      for (const field of ['command', 'args'] as const) {
        (Array.isArray(c[field]) ? c[field] : []).forEach((arg: unknown, i: number) => {
          const text = String(arg);
          const prev = i > 0 ? String(c[field][i - 1]) : '';
          const flagged = [...text.matchAll(SECRET_FLAG)].find((m) => isLiteral(m[2]));
          const pairFlag = /^--?[A-Za-z0-9-]*(secret|password|passwd|token|api-?key|private-key|credentials?)$/i.test(prev) && isLiteral(text);
          const assignment = [...text.matchAll(SECRET_ASSIGNMENT)].find((m) => SECRET_NAME.test(m[1]) && isLiteral(m[2]));
          const url = URL_CREDENTIALS.exec(text);
          const redis = REDIS_CLI_AUTH.exec(text);
          const what = flagged ? `${flagged[1]} with a literal value` : pairFlag ? `${prev} with a literal value` : assignment ? `${assignment[1]}= with a literal value` : url && isLiteral(url[1]) ? 'a URL with an inline password' : redis && isLiteral(redis[1]) ? 'redis-cli -a with a literal password' : undefined;
          if (what) {
            sink.error('policy/secret-in-args', t.owner.doc, [...at, field, i], `${name} passes a credential in its ${field}: ${what}; anyone who can read the pod spec sees it`, 'read it from a Secret: env valueFrom.secretKeyRef (or envFrom) and reference it as $(VAR) or "$VAR"');
          }
        });
      }
      (Array.isArray(c.env) ? c.env : []).forEach((e: any, i: number) => {
        if (typeof e?.value !== 'string') return;
        const url = URL_CREDENTIALS.exec(e.value);
        if ((SECRET_NAME.test(String(e.name)) && isLiteral(e.value)) || (url && isLiteral(url[1]))) {
          sink.error('policy/secret-in-env', t.owner.doc, [...at, 'env', i, 'value'], `${name} sets ${e.name} to a literal credential`, `use valueFrom.secretKeyRef for ${e.name}`);
        }
      });
      const sh = shellScript(c);
      if (!sh) continue;
      const scriptPath = [...at, sh.field, sh.index];
      const hidden = /(^|[^0-9&])(2>\s*\/dev\/null|&>\s*\/dev\/null|>\s*\/dev\/null\s+2>&1|2>&-)/.exec(sh.script);
      if (hidden) {
        sink.error('policy/hidden-errors', t.owner.doc, scriptPath, `${name} script discards error output ('${hidden[2]}'), so a failure leaves no trace`, `remove '${hidden[2]}' and let errors reach the log`);
      }
      const commands = sh.script.split(/\n|;|&&|\|\|/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
      if (!sh.errexit && commands.length > 1) {
        sink.warn('policy/script-errexit', t.owner.doc, scriptPath, `${name} runs a ${commands.length}-step shell script without 'set -e': a failing step does not stop it`, "start the script with 'set -eu' (or run the shell with -ec)");
      }
    }
  }
}

function decoded(field: 'data' | 'stringData', value: unknown): string {
  if (typeof value !== 'string') return '';
  return field === 'data' ? Buffer.from(value, 'base64').toString('utf8') : value;
}

function storedSecrets(model: Model, sink: Sink): void {
  for (const m of model.items) {
    if (m.group !== '' || !isPlainObject(m.obj)) continue;
    if (m.kind === 'ConfigMap' && isPlainObject(m.obj.data)) {
      for (const [k, v] of Object.entries<unknown>(m.obj.data)) {
        if (SECRET_NAME.test(k) && typeof v === 'string' && isLiteral(v)) {
          sink.error('policy/secret-in-configmap', m.doc, ['data', k], `ConfigMap '${m.name}' holds the credential ${k} in plain text`, `move ${k} to a Secret (created outside the output) and read it with secretKeyRef`);
        }
      }
    }
    if (m.kind !== 'Secret') continue;
    const entries = (['data', 'stringData'] as const).flatMap((f) => (isPlainObject(m.obj[f]) ? Object.entries<unknown>(m.obj[f]).map(([k, v]) => ({ f, k, v: decoded(f, v) })) : []));
    if (entries.length === 0) continue;
    sink.warn('policy/secret-in-output', m.doc, [entries[0].f], `Secret '${m.name}' carries ${entries.length} value(s) in the output; rendered manifests are committed and shared`, 'create the Secret outside the output (e.g. the secrets command) and declare it external');
    for (const { f, k, v } of entries) {
      const weak = WEAK_VALUES.has(v.trim().toLowerCase()) || /replace[_-]?me/i.test(v);
      const tooShort = /JWT_SECRET_KEY|AUTH_ENCRYPTION_SECRET/.test(k) && v.length < 32;
      if (weak || tooShort) {
        sink.error('policy/weak-secret', m.doc, [f, k], `Secret '${m.name}' key ${k} is ${v ? (weak ? 'a known placeholder' : `only ${v.length} characters`) : 'empty'}; ContextForge refuses weak or empty secrets at start-up`, `generate a random value of at least 32 bytes for ${k}`);
      }
    }
  }
}

export function checkHygiene(model: Model, sink: Sink): void {
  argsAndScripts(model, sink);
  storedSecrets(model, sink);
}

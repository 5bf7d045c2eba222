/**
 * mcp-stack: renders the ContextForge MCP gateway stack for Kubernetes and OpenShift.
 *
 *   node build/main.js synth [--profile kind|ocp|production | --all] [--values F]... [--set k=v]... [--out DIR]
 *   node build/main.js secrets --profile P [--from FILE]
 *   node build/main.js validate [PATH...]
 *   node build/main.js check            (is the committed dist/ what a fresh synth writes?)
 *   node build/main.js diff --profile P [--against DIR|REF]
 *   node build/main.js schema           (the values schema as JSON Schema)
 *   node build/main.js cdk8s            (what `cdk8s synth` runs: the kind profile into $CDK8S_OUTDIR)
 *
 * Exit codes (profiles/errors.ts): 0 ok; 1 the output gate, a check or a diff found something; 2 bad input (every
 * problem is listed); 3 the environment refused (a folder that cannot be written, a full disk, a folder the tool does
 * not own); 4 an internal error; 128+N stopped by signal N before anything was replaced.
 */
import * as v8 from 'node:v8';
import { EnvironmentError, EXIT, InputError } from './profiles/errors';
import type { OutputGate } from './lib/cli/synth';

// Each command loads only the modules it needs: a synth without the gate never loads the validators, and no
// command but `synth --format helm` and `check` loads the chart generator. Start-up is most of a small synth.
const commands = {
  synth: () => (require('./lib/cli/synth') as typeof import('./lib/cli/synth')).runSynth,
  gate: () => (require('./lib/cli/gate') as typeof import('./lib/cli/gate')).synthGate,
  secrets: () => (require('./lib/cli/secrets') as typeof import('./lib/cli/secrets')).runSecrets,
  validate: () => (require('./lib/gate/cli') as typeof import('./lib/gate/cli')).runValidateCli,
  check: () => (require('./lib/cli/check') as typeof import('./lib/cli/check')).runCheck,
  diff: () => (require('./lib/cli/diff') as typeof import('./lib/cli/diff')).runDiff,
  schema: () => (require('./lib/cli/schema') as typeof import('./lib/cli/schema')).runSchema,
  cdk8s: () => (require('./lib/cli/cdk8s') as typeof import('./lib/cli/cdk8s')).runCdk8s,
};

const COMMANDS: readonly [string, string][] = [
  ['synth', 'render a profile (or --all, or the Helm chart) into dist/, after the output gate passes (the default command)'],
  ['secrets', 'print the Secrets the stack expects: generated on kind, from your file with --from, or listed'],
  ['validate', 'run the output gate over written output (default: dist/<profile> for every profile)'],
  ['check', 'fail when the committed dist/ differs from a fresh synth, naming the command that fixes it'],
  ['diff', 'compare a fresh synth with the committed output object by object (exit 1 when they differ)'],
  ['schema', 'print the values schema as JSON Schema'],
  ['cdk8s', 'what `cdk8s synth` runs: the kind profile into $CDK8S_OUTDIR'],
];

export const TOP_HELP = `usage: mcp-stack <command> [flags]     (mcp-stack <command> --help for its flags)

commands:
${COMMANDS.map(([name, text]) => `  ${name.padEnd(9)} ${text}`).join('\n')}

examples:
  npm run synth -- --profile ocp --values my-cluster.yaml
  npm run secrets -- --profile kind | kubectl apply -f -
  npm run check

exit codes: 0 done; 1 the output gate, check or diff found something; 2 bad input (every problem listed);
  3 the environment refused (unwritable, full or foreign folder); 4 internal error; 128+N stopped by signal N.
  MCP_STACK_DEBUG=1 prints the stack trace of an internal error.
`;

/** The synth's gate, loaded when the synth first uses it (never with --no-validate). */
const lazyGate = Object.defineProperty(
  ((values, files, written) => commands.gate()(values, files, written)) as OutputGate,
  'readWritten',
  { get: () => commands.gate().readWritten },
);

export async function main(argv: readonly string[]): Promise<number> {
  const [command = 'synth', ...rest] = argv;
  try {
    switch (command) {
      case 'synth':
        return await commands.synth()(rest, lazyGate);
      case 'secrets':
        return commands.secrets()(rest);
      case 'validate':
        return commands.validate()(rest);
      case 'check':
        return commands.check()(rest);
      case 'diff':
        return commands.diff()(rest);
      case 'schema':
        return commands.schema()(rest);
      case 'cdk8s':
        return commands.cdk8s()(rest);
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(TOP_HELP);
        return EXIT.ok;
      default:
        process.stderr.write(`mcp-stack: unknown command '${command}'; allowed: ${COMMANDS.map(([c]) => c).join(', ')} (mcp-stack --help)\n`);
        return EXIT.input;
    }
  } catch (e) {
    return report(e);
  }
}

/** The one place a failure becomes a message and an exit code. Never a stack trace unless MCP_STACK_DEBUG asks. */
export function report(e: unknown): number {
  if (e instanceof InputError) {
    process.stderr.write(`${e.message}\n`);
    return EXIT.input;
  }
  if (e instanceof EnvironmentError) {
    process.stderr.write(`mcp-stack: ${e.message}\n`);
    return EXIT.environment;
  }
  if (e instanceof Error && e.name === 'Interrupted') {
    const signal = (e as Error & { signal: NodeJS.Signals }).signal;
    process.stderr.write(`mcp-stack: ${e.message}; nothing was replaced, the previous output is as it was\n`);
    return 128 + (require('node:os') as typeof import('node:os')).constants.signals[signal];
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    const path = (e as NodeJS.ErrnoException).path;
    process.stderr.write(`mcp-stack: the file system refused${path ? ` (${path})` : ''}: ${code}${debugHint(e)}\n`);
    return EXIT.environment;
  }
  const message = String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300);
  process.stderr.write(`mcp-stack: internal error: ${message}${debugHint(e)}\n`);
  return EXIT.internal;
}

function debugHint(e: unknown): string {
  if (process.env.MCP_STACK_DEBUG && process.env.MCP_STACK_DEBUG !== '0') return `\n${(e as Error)?.stack ?? String(e)}`;
  return '. Set MCP_STACK_DEBUG=1 to see the stack trace, and please report it.';
}

/**
 * How far V8 lets the heap grow past what survived a full collection before it collects again. By default it lets it
 * grow up to fourfold while collections are cheap, which a run over thousands of tenants turns into resident memory.
 * Measured (alternating runs, same machine): at 1,000 tenants 10 % brings the peak from 226 MB to 193-200 MB, at
 * 4,000 from 455 MB to 337 MB, with no change in time (a full collection of a heap this size takes about 10 ms); a
 * profile's synth is too small to notice. The chart generator puts V8's default back when it starts (lib/helm).
 */
const OLD_GENERATION_GROWTH_PERCENT = 10;

/** Runs a command as the process: the exit code, and quiet when the reader of stdout goes away (`| head`). */
export function runAsProcess(argv: readonly string[]): void {
  v8.setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  process.on('uncaughtException', (e) => {
    process.exitCode = report(e);
  });
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = report(e);
    },
  );
}

if (require.main === module) runAsProcess(process.argv.slice(2));

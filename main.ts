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
 * Exit codes: 0 ok, 1 the output gate or a check failed, 2 bad input (every problem is listed).
 */
import { InputError } from './profiles/loader';

// Each command loads only the modules it needs: a synth without the gate never loads the validators, and no
// command but `synth --format helm` and `check` loads the chart generator. Start-up is most of a small synth.
const commands = {
  synth: () => (require('./lib/cli/synth') as typeof import('./lib/cli/synth')).runSynth,
  gate: () => (require('./lib/cli/gate') as typeof import('./lib/cli/gate')).synthGate,
  secrets: () => (require('./lib/cli/secrets') as typeof import('./lib/cli/secrets')).runSecrets,
  validate: () => (require('./lib/validation/cli') as typeof import('./lib/validation/cli')).runValidateCli,
  check: () => (require('./lib/cli/check') as typeof import('./lib/cli/check')).runCheck,
  diff: () => (require('./lib/cli/diff') as typeof import('./lib/cli/diff')).runDiff,
  schema: () => (require('./profiles/schema') as typeof import('./profiles/schema')).valuesJsonSchema,
  cdk8s: () => (require('./lib/cli/cdk8s') as typeof import('./lib/cli/cdk8s')).runCdk8s,
};

const COMMANDS = ['synth', 'secrets', 'validate', 'check', 'diff', 'schema', 'cdk8s'] as const;

export function main(argv: readonly string[]): number {
  const [command = 'synth', ...rest] = argv;
  try {
    switch (command) {
      case 'synth':
        return commands.synth()(rest, (values, files) => commands.gate()(values, files));
      case 'secrets':
        return commands.secrets()(rest);
      case 'validate':
        return commands.validate()(rest);
      case 'check':
        return commands.check()(rest);
      case 'diff':
        return commands.diff()(rest);
      case 'schema':
        // The values schema as JSON Schema, for editors and for checking values files outside this tool.
        process.stdout.write(`${JSON.stringify(commands.schema()(), null, 2)}\n`);
        return 0;
      case 'cdk8s':
        return commands.cdk8s()(rest);
      default:
        process.stderr.write(`mcp-stack: unknown command '${command}'; allowed: ${COMMANDS.join(', ')}\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}

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
import { valuesJsonSchema } from './profiles/schema';
import { runCdk8s } from './lib/cli/cdk8s';
import { runCheck } from './lib/cli/check';
import { runDiff } from './lib/cli/diff';
import { runSecrets } from './lib/cli/secrets';
import { runSynth } from './lib/cli/synth';
import { synthGate } from './lib/cli/gate';
import { runValidateCli } from './lib/validation/cli';

const COMMANDS = ['synth', 'secrets', 'validate', 'check', 'diff', 'schema', 'cdk8s'] as const;

export function main(argv: readonly string[]): number {
  const [command = 'synth', ...rest] = argv;
  try {
    switch (command) {
      case 'synth':
        return runSynth(rest, synthGate);
      case 'secrets':
        return runSecrets(rest);
      case 'validate':
        return runValidateCli(rest);
      case 'check':
        return runCheck(rest);
      case 'diff':
        return runDiff(rest);
      case 'schema':
        // The values schema as JSON Schema, for editors and for checking values files outside this tool.
        process.stdout.write(`${JSON.stringify(valuesJsonSchema(), null, 2)}\n`);
        return 0;
      case 'cdk8s':
        return runCdk8s();
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

/** What `cdk8s synth` runs (see cdk8s.yaml): the default profile, written into the folder the CLI chose. */
import { loadValues } from '../../profiles/loader';
import { writeAtomically } from '../output';
import { renderProfile } from './synth';

export function runCdk8s(): number {
  const out = process.env.CDK8S_OUTDIR ?? 'cdk8s.out';
  writeAtomically(out, renderProfile(loadValues({ profile: 'kind' })));
  return 0;
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, loadValues } from '../profiles/loader';
import { defaults } from '../profiles/defaults';
import { valuesSchema } from '../profiles/schema';
import { tempDir } from './support';

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

function valuesFile(content: string): string {
  const dir = tempDir('values');
  const file = join(dir, 'values.yaml');
  writeFileSync(file, content);
  return file;
}

describe('layering', () => {
  test('the built-in defaults are themselves valid', () => {
    expect(valuesSchema.safeParse(defaults).success).toBe(true);
  });

  test('profile, then values files in order, then --set', () => {
    const first = valuesFile('gateway:\n  replicas: 4\n  workers: 3\n');
    const second = valuesFile('gateway:\n  replicas: 5\n');
    const v = loadValues({ profile: 'ocp', valuesFiles: [first, second], sets: ['gateway.workers=6'] });
    expect(v.gateway.replicas).toBe(5);
    expect(v.gateway.workers).toBe(6);
    // untouched keys keep the profile's value
    expect(v.nginx.workerConnections).toBe(32768);
  });

  test('--set types scalars like Helm: booleans, integers, strings, lists', () => {
    const v = loadValues({
      profile: 'kind',
      sets: ['networkPolicies.enabled=true', 'nginx.replicas=2', 'gateway.logLevel=DEBUG', 'images.pullSecrets={regcred,mirror}'],
    });
    expect(v.networkPolicies.enabled).toBe(true);
    expect(v.nginx.replicas).toBe(2);
    expect(v.gateway.logLevel).toBe('DEBUG');
    expect(v.images.pullSecrets).toEqual(['regcred', 'mirror']);
  });

  test('kind is the default profile', () => {
    expect(loadValues().profile).toBe('kind');
  });
});

describe('bad input: one error listing every problem with path, value received and what is allowed', () => {
  test('unknown profile', () => {
    const msg = problemsOf(() => loadValues({ profile: 'minikube' }));
    expect(msg).toContain('--profile: unknown profile; allowed: kind, ocp, production (received "minikube")');
  });

  test('unknown key in a values file names the key, the allowed keys and the file', () => {
    const file = valuesFile('gateway:\n  replicaz: 3\n');
    const msg = problemsOf(() => loadValues({ profile: 'kind', valuesFiles: [file] }));
    expect(msg).toContain('gateway.replicaz: unknown key; allowed here: replicas, resources');
    expect(msg).toContain('(received 3)');
    expect(msg).toContain(`[from ${file}]`);
  });

  test('every problem of every layer at once', () => {
    const file = valuesFile('nginx:\n  replicas: 0\n  workerConnections: "many"\n');
    const msg = problemsOf(() =>
      loadValues({ profile: 'kind', valuesFiles: [file], sets: ['gateway.logLevel=LOUD', 'exposure.type=gateway-api', 'broken'] }),
    );
    expect(msg).toMatch(/^invalid input: 5 problems/);
    expect(msg).toContain('--set: must look like path.to.key=value');
    expect(msg).toContain('(received "broken")');
    expect(msg).toMatch(/gateway\.logLevel: Invalid option: expected one of .*"DEBUG".* \(received "LOUD"\) \[from --set gateway\.logLevel\]/);
    expect(msg).toMatch(/exposure\.type: Invalid option: expected one of "route"\|"ingress"\|"none" \(received "gateway-api"\)/);
    expect(msg).toMatch(/nginx\.replicas: Too small: expected number to be >=1 \(received 0\)/);
    expect(msg).toMatch(/nginx\.workerConnections: Invalid input: expected number, received string \(received "many"\)/);
  });

  test('a missing values file and a file that is not YAML', () => {
    const bad = valuesFile('gateway: [unclosed\n');
    const msg = problemsOf(() => loadValues({ profile: 'kind', valuesFiles: ['does-not-exist.yaml', bad] }));
    expect(msg).toContain('--values: cannot read file: no such file (received "does-not-exist.yaml")');
    expect(msg).toContain('--values: not valid YAML');
  });

  test('a values file that is a list, not a mapping', () => {
    const msg = problemsOf(() => loadValues({ valuesFiles: [valuesFile('- a\n- b\n')] }));
    expect(msg).toContain('--values: must hold a YAML mapping of values');
  });

  test(':latest and malformed images are refused', () => {
    const msg = problemsOf(() => loadValues({ sets: ['images.gateway.tag=latest', 'images.redis.repository=Redis:7'] }));
    expect(msg).toContain("images.gateway.tag: must not be 'latest': pin a version");
    expect(msg).toContain('images.redis.repository: must be an image repository');
  });

  test('production, whose gateway digest is left to the user, still refuses the gateway at :latest', () => {
    const values = loadValues({ profile: 'production' });
    expect(values.images.requireDigests).toBe(false);
    expect(values.images.gateway.digest ?? '').toBe('');
    const msg = problemsOf(() => loadValues({ profile: 'production', sets: ['images.gateway.tag=latest'] }));
    expect(msg).toContain("images.gateway.tag: must not be 'latest': pin a version");
  });

  test('a profile that pins images by digest refuses tag-only images', () => {
    const msg = problemsOf(() => loadValues({ profile: 'production', sets: ['images.requireDigests=true', 'images.gateway.digest='] }));
    expect(msg).toContain('images.gateway.digest: must be sha256:<64 lower-case hex digits> (received "")');
    // Turning on a component whose image has no digest is refused too.
    const file = valuesFile('fastTimeServer:\n  enabled: true\n');
    expect(problemsOf(() => loadValues({ profile: 'production', valuesFiles: [file], sets: ['images.requireDigests=true', 'images.gateway.digest=sha256:' + 'a'.repeat(64)] }))).toContain(
      'images.fastTimeServer.digest: is required: this profile pins every image by digest',
    );
  });

  test('impossible combinations name both fields', () => {
    const msg = problemsOf(() =>
      loadValues({
        profile: 'kind',
        sets: ['gateway.hpa.enabled=true', 'gateway.hpa.minReplicas=5', 'gateway.hpa.maxReplicas=2', 'exposure.type=route', 'nginx.tls=true'],
      }),
    );
    expect(msg).toContain('gateway.hpa.minReplicas: must be <= gateway.hpa.maxReplicas (2)');
    expect(msg).toContain("exposure.type: 'route' needs platform 'openshift'");
    expect(msg).toContain("nginx.tls: needs platform 'openshift'");
  });

  test('a PDB that would block every drain', () => {
    const msg = problemsOf(() => loadValues({ profile: 'ocp', sets: ['gateway.pdb.minAvailable=3'] }));
    expect(msg).toContain("gateway.pdb.minAvailable: must be below the gateway's minimum pod count (3)");
  });

  test('credentials are refused as plain settings', () => {
    const msg = problemsOf(() => loadValues({ sets: ['gateway.extraConfig.JWT_SECRET_KEY=abc'] }));
    expect(msg).toContain('gateway.extraConfig.JWT_SECRET_KEY: is a credential: it belongs in the gateway Secret');
  });

  test('a release name that would make object names too long', () => {
    const msg = problemsOf(() => loadValues({ sets: [`release.name=${'a'.repeat(31)}`] }));
    expect(msg).toContain('release.name: must be at most 30 characters');
  });

  test('ocp must run on openshift', () => {
    expect(problemsOf(() => loadValues({ profile: 'ocp', sets: ['platform=kubernetes'] }))).toContain(
      "platform: must be 'openshift' for the ocp profile",
    );
  });
});

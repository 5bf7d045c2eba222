/**
 * Image pull Secrets (images.pullSecrets): every pod of the stack names them, nothing in the output creates them.
 * The `secrets` command and the chart's NOTES tell how to create each, from this one place.
 */
import type { Values } from '../../profiles/schema';

/** The registry a pull Secret is for: the mirror when one is set, else Docker Hub (the ocp seed's `dockerhub-pull`). */
export function pullSecretServer(v: Pick<Values, 'global'>): string {
  return v.global.imageRegistry ? v.global.imageRegistry.split('/')[0] : 'docker.io';
}

/** The command that creates one pull Secret; the credentials stay placeholders for the user to fill in. */
export function pullSecretCommand(name: string, namespace: string, server: string): string {
  return `kubectl -n ${namespace} create secret docker-registry ${name} --docker-server=${server} --docker-username=<user> --docker-password=<token>`;
}

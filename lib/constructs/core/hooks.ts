/**
 * Annotations that order the gateway's configuration and Jobs for Helm and ArgoCD; the plain manifests carry them
 * too (kubectl ignores them). The migration reads the gateway ConfigMaps. For Helm both are ordinary release objects,
 * so they follow rollback and go with uninstall, which Helm hooks do not. For ArgoCD, where the migration is a
 * PreSync hook, the ConfigMaps are earlier PreSync hooks.
 */
export const HOOKS = {
  config: {
    'argocd.argoproj.io/hook': 'PreSync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    'argocd.argoproj.io/sync-wave': '-1',
  },
  // Helm: no hook. A pre-install hook would run before Helm creates the database it migrates, and a post-install
  // hook after `helm install --wait` has waited for gateway pods that wait (startup probe) for the migration. As a
  // release object it starts with everything else and the gateway pods turn ready once it is done; the chart names
  // it per upgrade revision (MIGRATION_NAME_SUFFIX), so each upgrade runs a fresh Job whatever changed.
  // ArgoCD: PreSync, because the database is its own Application synced first.
  migration: {
    'argocd.argoproj.io/hook': 'PreSync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
  },
  registration: {
    'helm.sh/hook': 'post-install,post-upgrade',
    'helm.sh/hook-weight': '0',
    'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    'argocd.argoproj.io/hook': 'PostSync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
  },
} as const;

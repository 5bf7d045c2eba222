/**
 * Annotations that order the gateway's configuration and Jobs for Helm and ArgoCD; the plain manifests carry them
 * too (kubectl ignores them). The migration reads the gateway ConfigMaps. For Helm they are ordinary release objects:
 * the migration runs post-install (after Helm created them) and pre-upgrade (reading the ones in place, same names),
 * and being release objects they follow rollback and go with uninstall, which Helm hooks do not. For ArgoCD, where
 * the migration is a PreSync hook, they are earlier PreSync hooks.
 */
export const HOOKS = {
  config: {
    'argocd.argoproj.io/hook': 'PreSync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    'argocd.argoproj.io/sync-wave': '-1',
  },
  // Helm: post-install, because a pre-install hook runs before Helm creates the database it migrates; on upgrades
  // it runs before the new gateway pods. ArgoCD: PreSync, because the database is its own Application synced first.
  migration: {
    'helm.sh/hook': 'post-install,pre-upgrade',
    'helm.sh/hook-weight': '0',
    'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
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

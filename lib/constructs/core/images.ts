import type { Image } from '../../../profiles/schema';

/**
 * `repository:tag@digest` when pinned, else `repository:tag`. Every container of the stack takes its image from here.
 * `registry` (global.imageRegistry) replaces the repository's registry host (the first path segment when it holds a
 * `.` or `:` or is `localhost`), or prefixes a repository that names none.
 */
export function imageRef(image: Image, registry = ''): string {
  let repository = image.repository;
  if (registry) {
    const slash = repository.indexOf('/');
    const first = slash < 0 ? '' : repository.slice(0, slash);
    repository = first && (/[.:]/.test(first) || first === 'localhost') ? `${registry}${repository.slice(slash)}` : `${registry}/${repository}`;
  }
  return image.digest ? `${repository}:${image.tag}@${image.digest}` : `${repository}:${image.tag}`;
}

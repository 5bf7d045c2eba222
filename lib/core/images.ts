import type { Image } from '../../profiles/schema';

/** `repository:tag@digest` when pinned, else `repository:tag`. Every container of the stack takes its image from here. */
export function imageRef(image: Image): string {
  return image.digest ? `${image.repository}:${image.tag}@${image.digest}` : `${image.repository}:${image.tag}`;
}

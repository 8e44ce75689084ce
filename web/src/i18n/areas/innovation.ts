import type { Shape } from '../shape';

/** Messages of the innovation pages, in French (the default) and English: the same keys, checked by type. */
export const fr = {
  title: 'Hub d’innovation',
};

export const en: Shape<typeof fr> = {
  title: 'Innovation hub',
};

import type { Shape } from '../shape';

/** Messages of the admin pages, in French (the default) and English: the same keys, checked by type. */
export const fr = {
  title: 'Administration',
};

export const en: Shape<typeof fr> = {
  title: 'Administration',
};

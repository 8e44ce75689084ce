import type { Shape } from '../shape';

/** Messages of the catalog pages, in French (the default) and English: the same keys, checked by type. */
export const fr = {
  title: 'Catalogue de données',
};

export const en: Shape<typeof fr> = {
  title: 'Data catalog',
};

import type { Shape } from '../shape';

/** Messages of the observatory pages, in French (the default) and English: the same keys, checked by type. */
export const fr = {
  title: 'Observatoire',
};

export const en: Shape<typeof fr> = {
  title: 'Observatory',
};

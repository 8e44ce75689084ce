import { type CSSVariablesResolver, createTheme, type MantineColorsTuple } from '@mantine/core';

/**
 * Escale's own look (the State design system, DSFR, is reserved to State services): harbour blue on white.
 * Text and controls keep a contrast of at least 4.5:1 on their background (WCAG 2.1 AA, RGAA 4.1 criterion 3.2).
 */
const harbour: MantineColorsTuple = [
  '#e7f2f7',
  '#cfe4ee',
  '#a2cadd',
  '#71aecb',
  '#4897bc',
  '#2d87b1',
  '#1b77a2',
  '#0f6890',
  '#0b5a7d',
  '#06465f',
];

export const theme = createTheme({
  primaryColor: 'harbour',
  primaryShade: { light: 8, dark: 5 },
  colors: { harbour },
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif',
  headings: { fontWeight: '700' },
  defaultRadius: 'sm',
  focusRing: 'auto',
  cursorType: 'pointer',
  respectReducedMotion: true,
});

/**
 * Darker "dimmed" text, links and error messages than Mantine's defaults, for 4.5:1 on white and on the grey
 * panels (Mantine's red 6 for input errors is 3.9:1 on white; red 9 is 6.4:1).
 */
export const cssVariables: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-anchor': t.colors.harbour[8],
    '--mantine-color-placeholder': t.colors.gray[7],
    '--mantine-color-error': t.colors.red[9],
  },
  dark: {},
});

/** Colours of the map's layers; the legend pairs each with a shape or a line style (never colour alone). */
export const MAP_COLORS = {
  terminal: '#0b5a7d',
  terminalFill: '#4897bc',
  berth: '#8a3a0c',
  berthFill: '#e07b39',
  vessel: '#5b2483',
  round: '#1f6f43',
  fillLow: '#3a8f5c',
  fillMid: '#c98a00',
  fillHigh: '#b3261e',
  selected: '#111111',
  background: '#eef2f4',
} as const;

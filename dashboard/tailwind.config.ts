import type { Config } from 'tailwindcss';

// Tremor 3's theme tokens (its installation guide's names), so its components draw in light and
// dark themes; the values live in app/globals.css.
const token = (name: string) => `rgb(var(--tremor-${name}) / <alpha-value>)`;
const TOKENS = {
  brand: {
    faint: token('brand-faint'),
    muted: token('brand-muted'),
    subtle: token('brand-subtle'),
    DEFAULT: token('brand'),
    emphasis: token('brand-emphasis'),
    inverted: token('brand-inverted'),
  },
  background: {
    muted: token('background-muted'),
    subtle: token('background-subtle'),
    DEFAULT: token('background'),
    emphasis: token('background-emphasis'),
  },
  border: { DEFAULT: token('border') },
  ring: { DEFAULT: token('ring') },
  content: {
    subtle: token('content-subtle'),
    DEFAULT: token('content'),
    emphasis: token('content-emphasis'),
    strong: token('content-strong'),
    inverted: token('content-inverted'),
  },
};

const config: Config = {
  darkMode: 'media',
  content: ['./app/**/*.{ts,tsx}', './components/**/*.{ts,tsx}', '../node_modules/@tremor/**/*.{js,ts,jsx,tsx}'],
  theme: {
    extend: {
      // One set of tokens, switched by a CSS variable per theme (app/globals.css): a class written
      // without its dark: twin still reads well in the dark theme.
      colors: { tremor: TOKENS, 'dark-tremor': TOKENS },
      boxShadow: {
        'tremor-input': '0 1px 2px 0 rgb(0 0 0 / 0.05)',
        'tremor-card': '0 1px 3px 0 rgb(0 0 0 / 0.1), 0 1px 2px -1px rgb(0 0 0 / 0.1)',
        'tremor-dropdown': '0 4px 6px -1px rgb(0 0 0 / 0.1), 0 2px 4px -2px rgb(0 0 0 / 0.1)',
        'dark-tremor-input': '0 1px 2px 0 rgb(0 0 0 / 0.05)',
        'dark-tremor-card': '0 1px 3px 0 rgb(0 0 0 / 0.1), 0 1px 2px -1px rgb(0 0 0 / 0.1)',
        'dark-tremor-dropdown': '0 4px 6px -1px rgb(0 0 0 / 0.1), 0 2px 4px -2px rgb(0 0 0 / 0.1)',
      },
      borderRadius: { 'tremor-small': '0.375rem', 'tremor-default': '0.5rem', 'tremor-full': '9999px' },
      fontSize: {
        'tremor-label': ['0.75rem', { lineHeight: '1rem' }],
        'tremor-default': ['0.875rem', { lineHeight: '1.25rem' }],
        'tremor-title': ['1.125rem', { lineHeight: '1.75rem' }],
        'tremor-metric': ['1.875rem', { lineHeight: '2.25rem' }],
      },
    },
  },
  // Chart colours Tremor builds class names for at run time.
  safelist: [
    {
      pattern:
        /^(bg|text|stroke|fill|border|ring)-(blue|emerald|amber|rose|violet|cyan|gray|indigo|fuchsia|lime)-(400|500|600)$/,
      variants: ['hover', 'ui-selected'],
    },
  ],
  plugins: [],
};

export default config;

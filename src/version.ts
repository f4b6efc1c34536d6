// Replaced at build time from package.json; tests run from source and see the fallback.
declare const TEND_VERSION: string | undefined;

export const VERSION: string = typeof TEND_VERSION === 'string' ? TEND_VERSION : '0.0.0-dev';

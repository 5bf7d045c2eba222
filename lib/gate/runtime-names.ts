/**
 * The names by which generated validator code reaches the gate's runtime modules. Stored code `require`s these
 * names, never a file path, and the cache's loader hands over the modules already loaded in this process, so
 * stored code runs the same from the plain build, from a bundle and under the tests.
 */
export const KEYWORD_RUNTIME = 'mcp-stack-gate:keyword-runtime';
export const REGEXP_ENGINE = 'mcp-stack-gate:regexp';
export const FORMATS = 'mcp-stack-gate:formats';

/**
 * Where zerodrop's documentation lives on the web. Messages, help texts and reports link here (never to a relative
 * path): the reader may have the packages from npm and no clone of the repository.
 */
export const PROJECT_URL = 'https://github.com/zerodrop/zerodrop';

/** The web address of a file of the repository, e.g. `docs/rules/prestop-missing.md`. */
export function docsUrl(path: string): string {
  return `${PROJECT_URL}/blob/main/${path}`;
}

/** The page of one lint rule. */
export function ruleDocsUrl(ruleId: string): string {
  return docsUrl(`docs/rules/${ruleId}.md`);
}

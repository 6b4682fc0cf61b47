/**
 * Unrendered templates in manifest files: Helm charts (Go templates) and files with `{{placeholders}}` that a script
 * fills in (sed, envsubst-like tools, Jinja). Neither is a manifest yet, and they need different advice.
 */

/** Offset of a template action `{{ ... }}` outside comments, if the text has one. */
export function findTemplateMarker(text: string): number | undefined {
  const re = /\{\{-?[^}]*\}\}/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (!text.slice(lineStart, m.index).includes('#')) return m.index;
  }
  return undefined;
}

/**
 * Words that start a Go template action in Helm charts: control structures and the functions charts call without a
 * pipeline in front (sprig's and Helm's own).
 */
const GO_TEMPLATE_WORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'include',
  'tpl',
  'toYaml',
  'toJson',
  'fromYaml',
  'printf',
  'print',
  'println',
  'default',
  'quote',
  'squote',
  'required',
  'lookup',
  'not',
  'and',
  'or',
  'eq',
  'ne',
  'len',
  'index',
  'fail',
  'trim',
  'upper',
  'lower',
  'b64enc',
  'nindent',
  'indent',
  'semverCompare',
  'ternary',
  'toString',
  'int',
  'list',
  'dict',
  'merge',
  'empty',
  'coalesce',
  'trunc',
  'trimSuffix',
  'replace',
]);

/** The text inside the `{{ ... }}` that starts at `offset` (without the braces, trim markers and spaces). */
function actionAt(text: string, offset: number): string {
  const end = text.indexOf('}}', offset + 2);
  const inner = text.slice(offset + 2, end === -1 ? Math.min(text.length, offset + 200) : end);
  return inner.replace(/^-\s*/, '').replace(/\s*-$/, '').trim();
}

/** True when the action is Go template syntax as Helm charts write it (`.Values.x`, `$var`, `include ...`, a comment). */
export function isGoTemplateAction(action: string): boolean {
  if (/^[.$]/.test(action) || action.startsWith('/*')) return true;
  if (/\.(Values|Release|Chart|Capabilities|Files|Template)\b/.test(action)) return true;
  // A pipeline into a Go template function (`... | nindent 4`); Jinja's filters (`| to_yaml`) are not.
  const piped = /\|\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(action)?.[1];
  if (piped !== undefined && GO_TEMPLATE_WORDS.has(piped)) return true;
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(action)?.[0];
  return word !== undefined && GO_TEMPLATE_WORDS.has(word) && /\s|^(else|end|break|continue)$/.test(action);
}

export interface TemplateDescription {
  code: 'ERR_ZERODROP_HELM_TEMPLATE' | 'ERR_ZERODROP_TEMPLATE_PLACEHOLDER';
  message: string;
}

/** What the template action at `offset` is, and what to do about it. */
export function describeTemplate(text: string, offset: number): TemplateDescription {
  const action = actionAt(text, offset);
  if (isGoTemplateAction(action)) {
    return {
      code: 'ERR_ZERODROP_HELM_TEMPLATE',
      message: 'this looks like an unrendered Helm template: render it first, e.g. `helm template . | zerodrop lint -`',
    };
  }
  const shown = action.length > 40 ? `${action.slice(0, 39)}…` : action;
  return {
    code: 'ERR_ZERODROP_TEMPLATE_PLACEHOLDER',
    message: `this is a template with an unfilled placeholder {{${shown}}}: fill it in first (with the script, sed or envsubst step that renders it) and lint the result`,
  };
}

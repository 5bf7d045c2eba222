/**
 * The values table of the chart README, from the same schema (descriptions, defaults) as values.schema.json, so
 * the README, the schema and editors say the same thing about every key.
 */

/** One row per leaf key of the chart schema: key, description, default. */
export function valuesTable(schema: any): string {
  const rows: string[] = ['| Key | Description | Default |', '| --- | --- | --- |'];
  const visit = (node: any, path: string[]) => {
    if (node?.type === 'object' && node.properties) {
      for (const [key, child] of Object.entries<any>(node.properties)) visit(child, [...path, key]);
      return;
    }
    if (!path.length) return;
    const def = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
    rows.push(`| \`${path.join('.')}\` | ${cell(node.description ?? '')} | ${cell(def)} |`);
  };
  visit(schema, []);
  return `${rows.join('\n')}\n`;
}

/** Text safe inside a Markdown table cell: no pipes, no line breaks. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/**
 * Documentation of the values, read from the JSDoc comments of the zod schema (`profiles/schema.ts` and the
 * schemas it imports), so `values.yaml` and `values.schema.json` say what the schema's authors wrote, once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../constructs/core/assets';

type TS = typeof import('typescript');

/** Dotted value path → its JSDoc text. Empty when the TypeScript parser is not installed. */
export function schemaDocs(): Map<string, string> {
  let ts: TS;
  try {
    ts = require('typescript');
  } catch {
    return new Map();
  }
  const docs = new Map<string, string>();
  const files = new Map<string, Map<string, any>>();
  const declarations = (file: string): Map<string, any> => {
    let decls = files.get(file);
    if (decls) return decls;
    decls = new Map();
    files.set(file, decls);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of source.statements) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) decls.set(d.name.text, { node: d.initializer, file });
      } else if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text.startsWith('.')) {
        const target = resolve(dirname(file), `${st.moduleSpecifier.text}.ts`);
        const names = st.importClause?.namedBindings;
        if (existsSync(target) && names && ts.isNamedImports(names)) {
          for (const el of names.elements) decls.set(el.name.text, { imported: (el.propertyName ?? el.name).text, file: target });
        }
      }
    }
    return decls;
  };
  const lookup = (name: string, file: string): { node: any; file: string } | undefined => {
    const d = declarations(file).get(name);
    if (!d) return undefined;
    return d.imported ? lookup(d.imported, d.file) : d;
  };
  /** The object literal of `z.strictObject({...})` / `z.object({...})` an expression builds, through method chains. */
  const objectOf = (node: any, file: string, depth = 0): { literal: any; file: string } | undefined => {
    if (depth > 20) return undefined;
    if (ts.isIdentifier(node)) {
      const d = lookup(node.text, file);
      return d && objectOf(d.node, d.file, depth + 1);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if ((method === 'strictObject' || method === 'object') && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
        return { literal: node.arguments[0], file };
      }
      return objectOf(node.expression.expression, file, depth + 1);
    }
    return undefined;
  };
  const visit = (literal: any, file: string, path: string[]) => {
    for (const prop of literal.properties) {
      if (ts.isSpreadAssignment(prop) && ts.isIdentifier(prop.expression)) {
        const d = lookup(prop.expression.text, file);
        if (d && ts.isObjectLiteralExpression(d.node)) visit(d.node, d.file, path);
        continue;
      }
      if (!ts.isPropertyAssignment(prop) || !(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) continue;
      const p = [...path, prop.name.text];
      const text = ts
        .getJSDocCommentsAndTags(prop)
        .map((j: any) => (typeof j.comment === 'string' ? j.comment : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (text) docs.set(p.join('.'), text);
      const child = objectOf(prop.initializer, file);
      if (child) visit(child.literal, child.file, p);
    }
  };
  const schemaFile = join(projectRoot(), 'profiles', 'schema.ts');
  if (!existsSync(schemaFile)) return docs;
  const root = lookup('valuesSchema', schemaFile);
  const top = root && objectOf(root.node, root.file);
  if (top) visit(top.literal, top.file, []);
  return docs;
}

/** The leading comment of a profile's file (`profiles/<name>.ts`): what the profile is for. */
export function profileSummary(profile: string): string {
  const file = join(projectRoot(), 'profiles', `${profile}.ts`);
  if (!existsSync(file)) return '';
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(file, 'utf8'));
  return m ? m[1].replace(/^\s*\* ?/gm, '').replace(/\s+/g, ' ').trim() : '';
}

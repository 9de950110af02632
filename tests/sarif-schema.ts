/**
 * The SARIF 2.1.0 JSON schema, as shipped by Microsoft's @microsoft/jest-sarif (MIT; a
 * devDependency used only for this file), compiled with ajv. The schema is JSON Schema draft-04;
 * one of its patterns is not valid with the `u` flag, so ajv compiles patterns without it.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

// CommonJS modules with a `default` export, seen from an ES module
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;

const require = createRequire(import.meta.url);
const schemaFile = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);

export const validateSarif = ajv.compile(schema);

/** The schema's errors for `log`, one line each (empty when it is valid). */
export function sarifErrors(log: unknown): string[] {
  return validateSarif(log) ? [] : (validateSarif.errors ?? []).map((e: { instancePath: string; message?: string }) => `${e.instancePath || '/'} ${e.message}`);
}

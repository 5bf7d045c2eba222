/**
 * The `format`s the gate checks, as the API server knows them: the standard string formats, the OpenAPI number
 * formats, and Go's own `duration`, `byte`, `cidr` and `mac`. One module, so stored validators load the very same
 * definitions by name instead of carrying copies.
 */
import type { Format } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

/** Go `time.ParseDuration` syntax, which is what `format: duration` means in a CRD. */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;
const MAC = /^(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

const STANDARD = ['date-time', 'date', 'hostname', 'ipv4', 'ipv6', 'uri', 'email', 'uuid'] as const;

export const gateFormats: Record<string, Format> = {
  ...Object.fromEntries(STANDARD.map((name) => [name, fullFormats[name]])),
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  double: { type: 'number', validate: () => true },
  float: { type: 'number', validate: () => true },
  byte: BASE64,
  duration: GO_DURATION,
  cidr: CIDR,
  mac: MAC,
};

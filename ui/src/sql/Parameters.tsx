// Inputs for the statement's `:name` parameters: a type and a value each. Values go to Rust as
// typed parameters (never into the SQL text); Rust checks them before anything is sent.
import type { ParamType, Parameter } from "../platform";

export const TYPES: Array<{ label: string; type: ParamType }> = [
  { label: "STRING", type: { kind: "string" } },
  { label: "INT", type: { kind: "int" } },
  { label: "BIGINT", type: { kind: "bigInt" } },
  { label: "DOUBLE", type: { kind: "double" } },
  { label: "DECIMAL(18,2)", type: { kind: "decimal", precision: 18, scale: 2 } },
  { label: "DATE", type: { kind: "date" } },
  { label: "TIMESTAMP", type: { kind: "timestamp" } },
  { label: "BOOLEAN", type: { kind: "boolean" } },
];

const labelOf = (type: ParamType) => TYPES.find((t) => JSON.stringify(t.type) === JSON.stringify(type))?.label ?? "STRING";

const PLACEHOLDER: Record<string, string> = {
  date: "2016-01-31",
  timestamp: "2016-01-31 08:00:00",
  boolean: "true",
  int: "42",
  bigInt: "42",
  double: "3.14",
  decimal: "12.50",
  string: "text",
};

interface Props {
  parameters: Parameter[];
  onChange: (parameters: Parameter[]) => void;
}

export function Parameters({ parameters, onChange }: Props) {
  if (parameters.length === 0) return null;
  const update = (index: number, change: Partial<Parameter>) =>
    onChange(parameters.map((p, i) => (i === index ? { ...p, ...change } : p)));
  return (
    <fieldset class="parameters" data-testid="parameters">
      <legend>Parameters</legend>
      {parameters.map((parameter, index) => (
        <div class="parameter" key={parameter.name}>
          <label>
            <span class="parameter-name">:{parameter.name}</span>
            <input
              name={`param-${parameter.name}`}
              type="text"
              value={parameter.value ?? ""}
              placeholder={PLACEHOLDER[parameter.type.kind]}
              onInput={(event) => update(index, { value: event.currentTarget.value })}
            />
          </label>
          <select
            aria-label={`Type of :${parameter.name}`}
            name={`type-${parameter.name}`}
            value={labelOf(parameter.type)}
            onChange={(event) =>
              update(index, { type: TYPES.find((t) => t.label === event.currentTarget.value)?.type ?? { kind: "string" } })
            }
          >
            {TYPES.map((t) => (
              <option key={t.label} value={t.label}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
      ))}
    </fieldset>
  );
}

/** Keeps the values and types of parameters that are still in the SQL, in the SQL's order;
 *  a parameter named like a date (`date`, `since`, `*_date`) starts as DATE. */
export function reconcile(names: string[], current: Parameter[]): Parameter[] {
  return names.map(
    (name) =>
      current.find((p) => p.name === name) ?? {
        name,
        type: /date|day|since|until/i.test(name) ? { kind: "date" } : { kind: "string" },
        value: null,
      },
  );
}

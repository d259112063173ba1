export interface PickOption {
  value: number;
  label: string;
}

/** A labelled <select> of a GET form (the comparison pickers of the unseen-family and model pages). */
export function PickSelect({
  label,
  name,
  defaultValue,
  options,
}: {
  label: string;
  name: string;
  defaultValue: number;
  options: PickOption[];
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={String(defaultValue)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

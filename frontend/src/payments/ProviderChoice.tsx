import type { ProviderInfo } from "../config";
import { providerName } from "./pay";

/** The chain's ways of paying, as radio buttons; test-mode ones say so. */
export function ProviderChoice({
  providers,
  value,
  onChange,
  legend,
}: {
  providers: ProviderInfo[];
  value: string;
  onChange: (provider: string) => void;
  legend: string;
}) {
  return (
    <fieldset className="providers">
      <legend>{legend}</legend>
      {providers.map((item) => (
        <label key={item.provider} className="provider-option">
          <input
            type="radio"
            name="provider"
            value={item.provider}
            checked={value === item.provider}
            onChange={() => onChange(item.provider)}
          />
          <span>
            {providerName(item.provider)}
            {item.test_mode && <span className="badge">Test mode</span>}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

import * as SelectPrimitive from "@radix-ui/react-select";
import { Check, ChevronDown } from "lucide-react";
import type { Ref } from "react";
import { cn } from "../../lib/cn";

export interface SelectOption<V extends string = string> {
  value: V;
  label: string;
  description?: string;
}

interface SelectProps<V extends string> {
  ref?: Ref<HTMLButtonElement>;
  id?: string;
  /** One of the options' values, or "" for none (the placeholder shows). */
  value: V | "";
  onValueChange: (value: V) => void;
  options: readonly SelectOption<V>[];
  disabled?: boolean;
  invalid?: boolean;
  placeholder?: string;
  className?: string;
  size?: "sm" | "md";
  "aria-label"?: string;
  "aria-describedby"?: string;
}

/**
 * An accessible single-select (Radix). The trigger has role "combobox". Typed by its options'
 * values, so a select of an enum hands back the enum.
 */
export function Select<V extends string = string>({
  ref,
  id,
  value,
  onValueChange,
  options,
  disabled,
  invalid,
  placeholder,
  className,
  size = "md",
  ...aria
}: SelectProps<V>) {
  return (
    <SelectPrimitive.Root
      value={value}
      // Radix hands back the chosen item's value, which is one of `options`.
      onValueChange={(chosen) => onValueChange(chosen as V)}
      disabled={disabled}
    >
      <SelectPrimitive.Trigger
        ref={ref}
        id={id}
        className={cn(
          "inline-flex w-full items-center justify-between gap-2 rounded-md border bg-white px-3 text-left text-sm text-gray-900 shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 focus:outline-none disabled:cursor-not-allowed disabled:bg-gray-50 disabled:text-gray-500",
          size === "sm" ? "h-8" : "h-9",
          invalid ? "border-red-400" : "border-gray-300",
          className,
        )}
        aria-invalid={invalid || undefined}
        {...aria}
      >
        <SelectPrimitive.Value placeholder={placeholder} />
        <SelectPrimitive.Icon>
          <ChevronDown className="size-4 text-gray-400" />
        </SelectPrimitive.Icon>
      </SelectPrimitive.Trigger>
      <SelectPrimitive.Portal>
        <SelectPrimitive.Content
          position="popper"
          sideOffset={4}
          className="z-50 max-h-(--radix-select-content-available-height) min-w-(--radix-select-trigger-width) overflow-hidden rounded-md border border-gray-200 bg-white shadow-lg"
        >
          <SelectPrimitive.Viewport className="p-1">
            {options.map((option) => (
              <SelectPrimitive.Item
                key={option.value}
                value={option.value}
                className="relative flex cursor-default items-start rounded px-2 py-1.5 pl-7 text-sm text-gray-900 outline-none select-none data-[highlighted]:bg-gray-100"
              >
                <SelectPrimitive.ItemIndicator className="absolute top-2 left-2">
                  <Check className="size-3.5 text-brand-600" />
                </SelectPrimitive.ItemIndicator>
                <div>
                  <SelectPrimitive.ItemText>{option.label}</SelectPrimitive.ItemText>
                  {option.description && (
                    <p className="text-xs text-gray-500">{option.description}</p>
                  )}
                </div>
              </SelectPrimitive.Item>
            ))}
          </SelectPrimitive.Viewport>
        </SelectPrimitive.Content>
      </SelectPrimitive.Portal>
    </SelectPrimitive.Root>
  );
}

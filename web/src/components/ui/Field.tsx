import * as LabelPrimitive from "@radix-ui/react-label";
import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";
import { cn } from "../../lib/cn";

interface FieldProps {
  label: ReactNode;
  /** Error message shown under the control (from a 422 `details.fields`). */
  error?: string | null;
  hint?: ReactNode;
  optional?: boolean;
  className?: string;
  children: ReactElement<Record<string, unknown>>;
}

/** A label, a control and its hint or error, wired together for assistive technology. */
export function Field({ label, error, hint, optional, className, children }: FieldProps) {
  const generated = useId();
  const childId = isValidElement(children) ? (children.props.id as string | undefined) : undefined;
  const id = childId ?? generated;
  const messageId = `${id}-message`;
  const control = cloneElement(children, {
    id,
    invalid: error ? true : undefined,
    "aria-describedby": error || hint ? messageId : undefined,
  });
  return (
    <div className={cn("space-y-1.5", className)}>
      <LabelPrimitive.Root htmlFor={id} className="block text-sm font-medium text-gray-700">
        {label}
        {optional && <span className="ml-1 font-normal text-gray-400">(optional)</span>}
      </LabelPrimitive.Root>
      {control}
      {error ? (
        <p id={messageId} className="text-sm text-red-600">
          {error}
        </p>
      ) : hint ? (
        <p id={messageId} className="text-sm text-gray-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

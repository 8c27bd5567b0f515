import { Compass } from "lucide-react";
import { Link } from "react-router";
import { buttonClasses } from "../components/ui/Button";

export function NotFoundPage() {
  return (
    <div className="flex min-h-full flex-col items-center justify-center px-6 py-16 text-center">
      <div className="flex size-12 items-center justify-center rounded-xl bg-gray-100 text-gray-500">
        <Compass className="size-6" aria-hidden="true" />
      </div>
      <p className="mt-5 text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-1 text-xl font-semibold tracking-tight text-gray-900">Page not found</h1>
      <p className="mt-2 max-w-sm text-sm text-gray-500">
        The page you're looking for doesn't exist or has moved.
      </p>
      <Link to="/" className={buttonClasses("secondary", "md", "mt-6")}>
        Back to the dashboard
      </Link>
    </div>
  );
}

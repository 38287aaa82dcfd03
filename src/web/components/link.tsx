import type { ComponentChildren } from 'preact';
import { type Route, navigate, routeUrl } from '../route.js';

/** A real link (open in a new tab, copy) that moves within the page on a plain click. */
export function Link({
  to,
  children,
  current,
}: {
  to: Route;
  children: ComponentChildren;
  current?: boolean;
}) {
  return (
    <a
      href={routeUrl(to)}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

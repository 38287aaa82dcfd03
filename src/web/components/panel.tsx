import type { ComponentChildren } from 'preact';
import type { Loaded } from '../refresh.js';
import { FailureMessage, Loading } from './message.js';

/** A titled panel: its controls (shown while loading too), then its content once the data is there, or why it is not. */
export function Panel<T>({
  title,
  loaded,
  controls,
  children,
}: {
  title: string;
  loaded: Loaded<T>;
  controls?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  const id = `h-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {controls}
      {loaded.error ? <FailureMessage failure={loaded.error} what={title} /> : null}
      {loaded.data !== null ? children(loaded.data) : loaded.error ? null : <Loading what={title} />}
    </section>
  );
}

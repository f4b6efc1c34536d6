// What an event handler of the queue (event-queue.ts) is given and returns: the payload, the previous
// handler's result and a context whose stop() ends the event's pipeline. Public: the toolkit exports
// both types.

/**
 * Given to each handler: the event's name and `stop()`, which ends the pipeline after this handler
 * (later handlers do not run; this handler's return value is the final result).
 *
 * @example
 * daemon.on('article', (article: Article, _previous, ctx) => {
 *   if (seen.has(article.url)) ctx.stop();
 *   return article;
 * });
 */
export interface HandlerContext {
  readonly event: string;
  stop(): void;
}

/**
 * One step of an event's pipeline: gets the payload, the previous handler's result (undefined for
 * the first) and the context; returns (or resolves to) the result passed to the next handler.
 *
 * @example
 * const parse: EventHandler<string> = (raw) => JSON.parse(raw);
 * const count: EventHandler<string, Item[]> = (_raw, items) => items?.length ?? 0; // items: Item[] | undefined
 * daemon.on('feed', parse);
 * daemon.on('feed', count);
 */
export type EventHandler<P = unknown, Previous = unknown> = (
  payload: P,
  previous: Previous | undefined,
  ctx: HandlerContext,
) => unknown;

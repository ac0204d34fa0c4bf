/** Options of {@link retryWithBackoff}. */
export interface RetryOptions {
  attempts?: number;
  baseDelay?: number;
  attemptTimeout?: number;
}
export function retryWithBackoff<T>(operation: (attempt: number) => T | PromiseLike<T>, options?: RetryOptions): Promise<T>;

package io.preprompt.credits.jdbc;

/**
 * What a store's group commit did since the store was created (see
 * {@link JdbcCreditStore#groupCommitStats()}); each count only grows.
 *
 * @param batches batches of two or more changes committed as one transaction
 * @param batchedChanges the changes committed in those batches
 * @param leftOut changes left out of a batch because they were stale (each then committed alone)
 * @param failedBatches batches that failed whole (each of their changes then committed alone)
 */
public record GroupCommitStats(long batches, long batchedChanges, long leftOut, long failedBatches) {}

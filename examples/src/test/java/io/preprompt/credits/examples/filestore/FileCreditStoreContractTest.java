package io.preprompt.credits.examples.filestore;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.CreditStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

// tag::contract[]
/** The host-written file store passes the same contract suite as the library's own stores. */
@DisplayName("FileCreditStore satisfies the CreditStore contract")
class FileCreditStoreContractTest extends CreditStoreContract {
  @TempDir
  Path directory;

  @Override
  // tag::contract-store[]
  protected CreditStore createStore() {
    return FileCreditStore.open(directory.resolve("credits"));
  }
  // end::contract-store[]

  /**
   * Every commit syncs a rewrite of the account's whole history to disk, and every conflicting
   * retry re-reads it: 8 writers x 50 commits (instead of 200) keep the lost-update test near a second.
   */
  @Override
  protected int commitsPerWriter() {
    return 50;
  }
}
// end::contract[]
